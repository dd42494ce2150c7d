"""Generates large JSONL transcripts for the streaming and speed tests (varied, realistic replies)."""

from __future__ import annotations

import json
import random
from pathlib import Path

CLIENT = [
    "Здравствуйте, где мой заказ №{n}?",
    "Не пришли деньги за возврат, уже третий раз пишу",
    "Как поменять тариф на безлимитный?",
    "Карта заблокирована, не могу оплатить",
    "Спасибо, всё понятно",
    "А доставка в выходные работает?",
]
OPERATOR = [
    "Здравствуйте! Меня зовут {op}, подскажите, пожалуйста, как к вам обращаться?",
    "Сейчас проверю заказ №{n}, это займёт пару минут.",
    "Заказ передан курьеру, привезём сегодня до 18:00.",
    "Я не знаю!!!",
    "Понимаю, как это неприятно. Передам запрос в бухгалтерию, ответим до конца дня.",
    "Ок",
    "Если появятся вопросы — пишите. Хорошего дня!",
    "ВНИМАНИЕ! Оплата только картой.",
]
OPERATORS = ["Мария Петрова", "Игорь Соколов", "Ольга Белова", "Дмитрий Орлов"]


def write_jsonl(path: Path, messages: int, per_conversation: int = 10, seed: int = 1) -> Path:
    """``messages`` lines, ``per_conversation`` per chat, client and operator alternating."""
    rnd = random.Random(seed)
    start = 1710486000
    with open(path, "w", encoding="utf-8") as out:
        for i in range(messages):
            conv, k = divmod(i, per_conversation)
            op = OPERATORS[conv % len(OPERATORS)]
            t = start + conv * 3600 + k * rnd.randint(10, 90)
            if k % 2 == 0:
                record = {"role": "client", "author": "Клиент", "text": rnd.choice(CLIENT).format(n=conv)}
            else:
                record = {"role": "operator", "author": op, "text": rnd.choice(OPERATOR).format(op=op, n=conv)}
            record.update(conversation_id=f"c{conv}", id=f"c{conv}-{k}", timestamp=t)
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def write_telegram(path: Path, messages: int, per_chat: int = 200, seed: int = 1) -> Path:
    """A Telegram Desktop whole-account export (``chats.list``) of ``messages`` messages, written
    as a stream (a file of any size in flat memory), in tdesktop's layout (one key a line)."""
    rnd = random.Random(seed)
    start = 1710486000
    with open(path, "w", encoding="utf-8") as out:
        out.write('{\n "personal_information": {"user_id": 900, "first_name": "Поддержка"},\n "chats": {"list": [\n')
        for chat in range(0, messages, per_chat):
            peer = 10_000 + chat
            out.write(
                ("," if chat else "")
                + f'{{"name": "Клиент {chat}", "type": "personal_chat", "id": {peer}, "messages": [\n'
            )
            for k in range(min(per_chat, messages - chat)):
                op = k % 2 == 1
                text = rnd.choice(OPERATOR if op else CLIENT).format(op="Мария", n=chat)
                record = {"id": chat + k, "type": "message", "date_unixtime": str(start + chat * 60 + k * 30),
                          "from": "Поддержка" if op else f"Клиент {chat}", "from_id": "user900" if op else f"user{peer}",
                          "text": text, "text_entities": [{"type": "plain", "text": text}]}  # fmt: skip
                out.write(("," if k else "") + json.dumps(record, ensure_ascii=False, indent=1) + "\n")
            out.write("]}\n")
        out.write("]}\n}\n")
    return path


def write_zendesk_chats(path: Path, messages: int, per_chat: int = 10, seed: int = 1) -> Path:
    """A Zendesk Chat incremental export ``{"chats": [...]}`` of ``messages`` messages, streamed."""
    rnd = random.Random(seed)
    with open(path, "w", encoding="utf-8") as out:
        out.write('{"chats": [\n')
        for chat in range(0, messages, per_chat):
            history = []
            for k in range(min(per_chat, messages - chat)):
                op = k % 2 == 1
                history.append({"type": "chat.msg", "name": "Мария" if op else "Клиент",
                                "nick": "agent:7" if op else f"visitor:{chat}",
                                "msg": rnd.choice(OPERATOR if op else CLIENT).format(op="Мария", n=chat),
                                "timestamp": f"2024-03-15T{(k // 60) % 24:02d}:{k % 60:02d}:00Z"})  # fmt: skip
            doc = {"id": f"z{chat}", "type": "chat", "history": history}
            out.write(("," if chat else "") + json.dumps(doc, ensure_ascii=False) + "\n")
        out.write('], "count": 0}\n')
    return path


if __name__ == "__main__":  # python tests/transcript_gen.py telegram|zendesk PATH MESSAGES
    import sys

    kind, target, count = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    (write_telegram if kind == "telegram" else write_zendesk_chats)(target, count)
