"""The size limits of what chatlint loads: rule files and configuration files (docs/reliability.md)."""

MAX_FILE_BYTES = 512 * 1024  # 35x the largest built-in file; pure-Python YAML reads ~15-70 KB/s
MAX_DEPTH = 20  # nesting of YAML collections; rules need 4
