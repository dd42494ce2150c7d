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
