"""``python -m bench.transcripts``: reading time of JSON exports at two sizes (is it linear?), and
peak memory of a Telegram export of any size (``--telegram-mb 2000`` for the 2 GB figure).

Reading only (no rules): this measures the readers, the streaming parser and the position
lookup. Issue 14 item 8 found the old lookup quadratic (1.2 MB: 3 s, 4.9 MB: 36 s).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from transcript_gen import write_telegram, write_zendesk_chats  # noqa: E402

from chatlint import formats  # noqa: E402
from chatlint.transcripts import ReadOptions  # noqa: E402


def read_seconds(path: Path) -> tuple[float, int]:
    opts = ReadOptions()
    start = time.process_time()
    events = sum(len(c.events) for c in formats.read(path, formats.detect(path, opts), opts))
    return time.process_time() - start, events


def peak(path: Path) -> str:
    probe = (
        "import resource,sys;from pathlib import Path;from chatlint import formats;"
        "from chatlint.transcripts import ReadOptions;p=Path(sys.argv[1]);o=ReadOptions();"
        "n=sum(len(c.events) for c in formats.read(p, formats.detect(p,o), o));"
        "print(n, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss//1024)"
    )
    out = subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True, text=True, check=True)
    events, mb = out.stdout.split()
    return f"{events} events, peak RSS {mb} MB"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--telegram-mb", type=int, default=0, help="also a Telegram export of this size")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for name, write in (("zendesk chats", write_zendesk_chats), ("telegram", write_telegram)):
            for messages in (4_000, 16_000):
                path = write(Path(folder) / f"{name.replace(' ', '_')}_{messages}.json", messages)
                seconds, events = read_seconds(path)
                size = path.stat().st_size / 1e6
                print(f"{name:14} {size:6.1f} MB  {events:6} events  {seconds:5.2f} s CPU")
        if args.telegram_mb:
            path = write_telegram(Path(folder) / "big.json", args.telegram_mb * 2900)
            print(f"telegram {path.stat().st_size / 1e9:.2f} GB: {peak(path)}")


if __name__ == "__main__":
    main()
