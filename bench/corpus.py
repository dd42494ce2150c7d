"""A seeded generator of realistic operator replies.

Replies are assembled from sentences that operators of shops, banks, telecoms and
marketplaces actually write, with slots for names, order numbers, sums, dates, products
and cities. On top of that: a long tail of rare dictionary words, typos (every typo is a
word form the cache has not seen), emoji, and in about one reply in ten a violation that
the rules look for. The same seed gives the same replies.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator

from bench.phrases import TABOO_PHRASES

NAMES = (
    "Анна", "Мария", "Екатерина", "Ольга", "Наталья", "Ирина", "Светлана", "Юлия", "Татьяна", "Елена",
    "Алексей", "Дмитрий", "Сергей", "Андрей", "Михаил", "Иван", "Артём", "Никита", "Павел", "Роман",
    "Гульнара", "Айгуль", "Тимур", "Руслан", "Зарина", "Виталий", "Ксения", "Полина", "Денис", "Олег",
)  # fmt: skip
CITIES = (
    "Москва", "Санкт-Петербург", "Казань", "Новосибирск", "Екатеринбург", "Самара", "Краснодар",
    "Нижний Новгород", "Пермь", "Воронеж", "Уфа", "Тюмень", "Иркутск", "Калининград", "Сочи",
)  # fmt: skip
PRODUCTS = (
    "смартфон", "пылесос", "кофемашина", "чайник", "холодильник", "ноутбук", "наушники", "куртка",
    "кроссовки", "матрас", "роутер", "телевизор", "стиральная машина", "планшет", "самокат",
    "детское автокресло", "микроволновка", "увлажнитель", "фен", "смарт-часы", "кабель", "зарядка",
)  # fmt: skip
PRODUCTS_GENT = (
    "смартфона", "пылесоса", "кофемашины", "чайника", "холодильника", "ноутбука", "наушников", "куртки",
    "кроссовок", "матраса", "роутера", "телевизора", "стиральной машины", "планшета", "самоката",
)  # fmt: skip
EMOJI = ("😊", "🙂", "👍", "🙏", "😉", "❤️", "✅", "📦", "🚚", "💳", "👋", "🤝", "⏳", "🎉")
GREETINGS = (
    "Здравствуйте!", "Добрый день!", "Добрый вечер!", "Доброе утро!", "Здравствуйте, {name}!",
    "Добрый день, {name}!", "{name}, здравствуйте!", "Приветствую!", "",
)  # fmt: skip
OPENERS = (
    "Спасибо за обращение.", "Благодарю за ожидание.", "Меня зовут {op}, я помогу вам.",
    "Спасибо, что написали нам.", "Понимаю вас.", "Извините за задержку с ответом.",
    "Сожалеем, что так получилось.", "", "", "",
)  # fmt: skip
BODY = (
    "Ваш заказ №{order} передан в службу доставки, ожидаемая дата — {date}.",
    "Курьер свяжется с вами {date} с {h1}:00 до {h2}:00.",
    "Возврат {sum} ₽ поступит на карту в течение {days} рабочих дней.",
    "Уточните, пожалуйста, номер заказа и телефон, указанный при оформлении.",
    "К сожалению, {product} сейчас нет в наличии на складе в городе {city}.",
    "Проверила информацию: платёж на {sum} руб. прошёл, статус обновится в течение часа.",
    "Я передала ваш вопрос специалисту, он ответит в течение {days} часов.",
    "Промокод {code} действует до {date}, скидка применится автоматически в корзине.",
    "Для возврата оформите заявку в личном кабинете в разделе «Мои заказы».",
    "Мы продлили срок хранения заказа в пункте выдачи до {date}.",
    "Пожалуйста, пришлите фото {product_gent} и упаковки, чтобы мы могли оформить претензию.",
    "Оператор связи начислит компенсацию {sum} рублей в следующем расчётном периоде.",
    "По тарифу «{tariff}» у вас осталось {num} ГБ интернета и {num2} минут.",
    "Карта будет перевыпущена бесплатно, забрать её можно в отделении на улице {street}, {num}.",
    "Посылка сейчас в сортировочном центре в городе {city}, трек-номер {code}.",
    "Я вижу, что оплата прошла {date} в {h1}:{mm}, списание {sum} ₽.",
    "Чтобы подключить услугу, наберите {ussd} или напишите нам в приложении.",
    "Подскажите, пожалуйста, на какой адрес оформлена доставка?",
    "Менеджер перезвонит вам по номеру {phone} в ближайшее время.",
    "Уточнила у склада: {product} отправят завтра до {h2}:00.",
    "Ссылка на инструкцию: {url}",
    "Если удобнее, напишите на {email}, мы ответим в течение суток.",
    "Мы уже разбираемся с вашей ситуацией по {rare_topic}.",
    "Спасибо за отзыв о {rare}, мы передадим его команде.",
    "Заявка {code} на {rare} зарегистрирована, срок рассмотрения — {days} дней.",
    "Ваш кешбэк за {month} составил {sum} баллов, они уже на счёте.",
    "Гарантия на {product} — {num} месяцев с даты покупки.",
    "Сейчас проверю информацию по вашему заказу, это займёт пару минут.",
    "Вы можете отменить заказ до передачи в доставку, после этого — только возврат.",
    "Доставка в {city} занимает от {num} до {num2} дней.",
    "Бонусы начисляются через {days} дней после получения заказа.",
    "Извините, в приложении был сбой, сейчас всё работает.",
    "Для входа используйте код из СМС, он действует {num} минут.",
    "Лимит по карте можно изменить в разделе «Настройки» мобильного банка.",
    "Обмен {product_gent} возможен в течение 14 дней при сохранении товарного вида.",
    "Мастер приедет {date}, подготовьте, пожалуйста, документы на {product}.",
)  # fmt: skip
CLOSERS = (
    "Хорошего дня!", "Если будут вопросы — пишите, всегда рады помочь.", "Спасибо за терпение!",
    "Приятных покупок!", "Обращайтесь!", "Всего доброго!", "Будем рады помочь ещё.", "", "", "",
)  # fmt: skip
SHORT = ("Спасибо!", "Добрый день", "Минутку", "Секунду, проверяю.", "Готово", "Пожалуйста!", "Да")
VIOLATIONS = (
    "Я не знаю, когда придёт ваш заказ.",
    "Вы должны были прочитать условия доставки.",
    "Нет.",
    "Это не ко мне, пишите в другой отдел.",
    "ВНИМАТЕЛЬНО ЧИТАЙТЕ УСЛОВИЯ АКЦИИ!!!",
    "Вы не правы, деньги списаны верно.",
    "На вашем месте я бы подождал ещё день.",
    "Ничем не могу помочь.",
    "Успокойтесь, пожалуйста!!!",
    "Спасибо 😊😊😊",
    "Как я уже сказал, возврата не будет!",
    "Понятия не имею, где курьер.",
)  # fmt: skip
TARIFFS = ("Мой онлайн", "Безлимит+", "Семейный", "Для своих", "Максимум", "Старт")
STREETS = ("Ленина", "Гагарина", "Мира", "Советская", "Садовая", "Пушкина", "Лесная")
MONTHS = ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь")
_KEYBOARD = "йцукенгшщзхъфывапролджэячсмитьбю"


class _Slots(dict):
    """Slot values drawn only when a template asks for them."""

    def __init__(self, gen: ReplyGenerator) -> None:
        super().__init__()
        self.gen = gen

    def __missing__(self, key: str) -> str:
        rng = self.gen.rng
        value = {
            "name": lambda: rng.choice(NAMES),
            "op": lambda: rng.choice(NAMES),
            "city": lambda: rng.choice(CITIES),
            "order": lambda: str(rng.randrange(10**6, 10**8)),
            "date": lambda: f"{rng.randrange(1, 29):02}.{rng.randrange(1, 13):02}",
            "h1": lambda: str(rng.randrange(9, 14)),
            "h2": lambda: str(rng.randrange(15, 22)),
            "mm": lambda: f"{rng.randrange(60):02}",
            "sum": lambda: f"{rng.randrange(99, 99999):,}".replace(",", " "),
            "days": lambda: str(rng.choice((3, 5, 7, 10, 14))),
            "product": lambda: rng.choice(PRODUCTS),
            "product_gent": lambda: rng.choice(PRODUCTS_GENT),
            "code": lambda: "".join(rng.choice("ABCDEFGHKMPRTX0123456789") for _ in range(rng.randrange(6, 11))),
            "tariff": lambda: rng.choice(TARIFFS),
            "num": lambda: str(rng.randrange(1, 60)),
            "num2": lambda: str(rng.randrange(60, 600)),
            "street": lambda: rng.choice(STREETS),
            "ussd": lambda: f"*{rng.randrange(100, 999)}#",
            "phone": lambda: (
                f"+7 9{rng.randrange(10, 99)} {rng.randrange(100, 999)}-{rng.randrange(10, 99)}-{rng.randrange(10, 99)}"
            ),
            "url": lambda: f"https://help.example.ru/{rng.choice(('faq', 'return', 'card'))}/{rng.randrange(1000)}",
            "email": lambda: f"support{rng.randrange(1, 9)}@example.ru",
            "month": lambda: rng.choice(MONTHS),
            "rare": self.gen._rare_word,
            "rare_topic": self.gen._rare_word,
        }[key]()
        self[key] = value
        return value


class ReplyGenerator:
    """Generates replies deterministically from ``seed``."""

    def __init__(self, seed: int = 42, rare_words: int = 4000) -> None:
        self.rng = random.Random(seed)
        self.rare = _rare_words(random.Random(seed + 1), rare_words)

    def _fill(self, template: str) -> str:
        if "{" not in template:
            return template
        return template.format_map(_Slots(self))

    def _rare_word(self) -> str:
        # a Zipf-like draw: a few rare words recur, most appear once or twice
        index = int(len(self.rare) * self.rng.random() ** 2.5)
        return self.rare[index]

    def _typo(self, word: str) -> str:
        rng = self.rng
        if len(word) < 4:
            return word
        i = rng.randrange(1, len(word) - 1)
        op = rng.randrange(4)
        if op == 0:
            return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        if op == 1:
            return word[:i] + word[i + 1 :]
        if op == 2:
            return word[:i] + word[i] + word[i:]
        return word[:i] + rng.choice(_KEYBOARD) + word[i + 1 :]

    def reply(self) -> str:
        """One reply: greeting, opener, one to three sentences, closer; sometimes short or long."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.04:
            return rng.choice(SHORT)
        parts = [self._fill(rng.choice(GREETINGS)), self._fill(rng.choice(OPENERS))]
        count = rng.choice((1, 1, 2, 2, 3)) if roll > 0.06 else rng.randrange(5, 9)
        parts.extend(self._fill(rng.choice(BODY)) for _ in range(count))
        if rng.random() < 0.10:
            parts.insert(rng.randrange(1, len(parts) + 1), rng.choice(VIOLATIONS))
        if rng.random() < 0.04:
            phrase = rng.choice(TABOO_PHRASES)
            parts.append(phrase[:1].upper() + phrase[1:] + ".")
        parts.append(self._fill(rng.choice(CLOSERS)))
        text = " ".join(p for p in parts if p)
        if rng.random() < 0.35:
            words = text.split(" ")
            for _ in range(rng.randrange(1, 3)):
                k = rng.randrange(len(words))
                if words[k].isalpha():
                    words[k] = self._typo(words[k])
            text = " ".join(words)
        if rng.random() < 0.15:
            text += " " + rng.choice(EMOJI)
        if rng.random() < 0.05:
            text = text.replace(". ", ".\n", 1)
        return text

    def replies(self, n: int) -> list[str]:
        return [self.reply() for _ in range(n)]


def _rare_words(rng: random.Random, n: int) -> list[str]:
    """Word forms sampled from the whole dictionary: the long tail of a real vocabulary."""
    import pymorphy3

    dictionary = pymorphy3.MorphAnalyzer().dictionary
    first = "абвгдежзиклмнопрстуфхчшэя"
    second = "аеиоуыяюрлнткс"
    third = "абвгдезиклмнопрстуя"
    words: list[str] = []
    seen: set[str] = set()
    while len(words) < n:
        prefix = rng.choice(first) + rng.choice(second) + rng.choice(third)
        skip = rng.randrange(40)
        for i, item in enumerate(dictionary.iter_known_words(prefix)):
            if i == skip:
                word = item[0]
                if "-" not in word and word not in seen:
                    seen.add(word)
                    words.append(word)
                break
    return words


def write_transcript(path, generator: ReplyGenerator, target_bytes: int) -> int:
    """A generic JSONL transcript of about ``target_bytes``: clients ask, operators reply."""
    written = count = 0
    with open(path, "w", encoding="utf-8") as out:
        conversation = 0
        while written < target_bytes:
            conversation += 1
            for turn in range(4):
                role = "client" if turn % 2 == 0 else "operator"
                text = "Здравствуйте, где мой заказ?" if role == "client" else generator.reply()
                line = json.dumps(
                    {
                        "conversation_id": str(conversation),
                        "message_id": f"{conversation}-{turn}",
                        "timestamp": f"2024-03-15T10:00:{turn * 15:02}+03:00",
                        "role": role,
                        "author_id": "op-1" if role == "operator" else "c-1",
                        "text": text,
                        "event_type": "message",
                    },
                    ensure_ascii=False,
                )
                out.write(line + "\n")
                written += len(line.encode()) + 1
                count += 1
    return count


def iter_replies(seed: int, n: int) -> Iterator[str]:
    generator = ReplyGenerator(seed)
    for _ in range(n):
        yield generator.reply()
