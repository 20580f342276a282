"""Benchmark data: fills a PostgreSQL database with a Zvonok that has been in use for three
years, at any size, in minutes (scale 1.0: under 5 minutes on two cores).

At scale 1.0 (the sizes scale linearly; users, questionnaires and vacancies do not):

- 100,000 candidates: Russian names, unique e-mails, some phones and Telegram handles
  (a few shared, as duplicates are), consent recorded, ~3% anonymised and ~6% archived the
  way ``interviews.privacy`` and the admin leave them;
- 120,000 applications on 20 vacancies with their stage history (~295,000 StageChange rows,
  from "New" to the current stage) along a funnel: ~81% rejected, ~2.4% hired, the rest
  waiting, mostly in the early stages;
- 100,000 answer sheets on two questionnaires ("bench": the 15 questions of
  bench/synthetic.QUESTIONS, as bench/import_bench.py makes it, each sheet answering 10 of
  them; "bench-lead": 10 questions) with their markdown text, and 1,000,000 answers of
  150-1,500 characters of Russian text with English tech words, from common ("Python") to
  rare ("Haskell", ~0.2% of answers); ~155,000 skill claims read from them;
- ~30,000 interviews, 20,000 scorecards with ~190,000 answer scores;
- the audit history Zvonok writes: a "+" row per candidate and application (by the import,
  in bulk, for those it creates; a "~" row per stage move), scorecard and answer score.
  Answers have none: the import writes them with COPY, without history.

Every row is one Zvonok could have written: a sheet's original text parses back into its
answers, and interviews.sheets.skills reads back exactly its skill claims.

How: the whole hiring history is planned in Python first (~350 MB at scale 1.0), then
streamed into the tables with binary COPY; the sheets and answers, where the time goes (the
database computes every answer's tsvector), through three connections at once. Secondary
indexes are dropped before the load and rebuilt after it, and the schema is then checked
to be exactly the one the migrations made. The funnel report's summary (migration 0012) is
built once from the loaded history, its triggers being off during the load. Sequences are
reset so that the ORM can insert afterwards; VACUUM ANALYZE last.

Run (drops and re-creates the database, migrates it, fills it):

    python -m bench.generate --scale 0.1 \\
        --database-url postgres://postgres@127.0.0.1:5432/zvonok_bench_scale

BENCH_SCALE and BENCH_DATABASE_URL give the defaults. From code, with Django set up and an
empty migrated database: ``generate(scale=0.01, analyze=False)``. Inside a transaction (a
test) everything runs on Django's connection, one table after another.

Deterministic for a seed: the same rows every time, dated relative to the day it runs
(pass ``now`` to pin that too). A run that fails halfway leaves the indexes dropped:
re-create the database.
"""

import argparse
import functools
import hashlib
import os
import random
import resource
import sys
import threading
import time
from bisect import bisect
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import accumulate

from bench.common import fresh_database, setup_django
from bench.synthetic import FIRST, LAST, QUESTIONS, WORDS

# -- sizes -----------------------------------------------------------------------------------

CANDIDATES = 100_000
APPLICATIONS = 120_000
SUBMISSIONS = 100_000
SCORECARDS = 20_000
ANSWERS_PER_SHEET = 10
RECRUITERS = 10
INTERVIEWERS = 20
YEARS = 3

MIN_ANSWER, MAX_ANSWER = 150, 1500  # characters
# Sheets per round of COPYs: one round holds its sheets' text in memory (~7 MB).
CHUNK = 500
# The answers' tsvectors, computed by the server, are most of the work. While a connection
# waits for Python to write its next round of sheets, the others keep both cores busy.
WORKERS = 3

DAY = 86400.0
HOUR = 3600.0

# -- the funnel ------------------------------------------------------------------------------

# Chance of moving on from each active stage: New -> Screening -> Technical interview ->
# Final interview -> Offer -> Hired (the last: the offer accepted).
ADVANCE = (0.40, 0.33, 0.45, 0.55, 0.75)
# Chance that an application that went no further is closed (rejected) rather than left
# where it is: real pipelines keep stale applications, mostly in "New".
CLOSE = (0.80, 0.90, 0.92, 0.95, 0.97)
SCREENING_CALL = 0.12
SECOND_TECHNICAL_ROUND = 0.12
INTERVIEW_KIND = {1: "screening", 2: "technical", 3: "final"}  # by active stage index

ANONYMISED = 0.03
ARCHIVED = 0.06
RETENTION_DAYS = 365

REJECTION_REASONS = (
    ("Недостаточный опыт", "Не подходит по стеку", "Не вышел на связь", "Вакансия закрыта", ""),
    (
        "Не вышел на связь",
        "Зарплатные ожидания выше вилки",
        "Не подходит формат работы",
        "Кандидат выбрал другое предложение",
        "",
    ),
    (
        "Не прошёл техническое интервью",
        "Слабые знания SQL",
        "Недостаточный уровень Python",
        "Кандидат выбрал другое предложение",
        "",
    ),
    ("Не подошёл команде", "Кандидат выбрал другое предложение", "Выбрали другого кандидата"),
    ("Отказался от оффера", "Принял контроффер текущего работодателя"),
)
WITHDREW = "Кандидат отказался от дальнейшего участия"
STAGE_COMMENTS = (
    "Хорошее резюме",
    "Договорились о звонке",
    "Сильный кандидат",
    "Ждём обратную связь от команды",
    "Перенесли по просьбе кандидата",
    "Есть вопросы по опыту с базами данных",
    "Рекомендация от сотрудника",
)
INTERVIEW_NOTES = (
    "Кандидат опоздал на десять минут",
    "Хорошо рассуждает вслух",
    "Попросил перенести на следующую неделю",
    "Нужна вторая встреча с тимлидом",
    "Связь была плохая, часть вопросов не успели",
    "Подготовить задачу на проектирование",
)
ROOMS = ("Переговорная «Байкал»", "Переговорная «Эльбрус»", "Переговорная «Ладога»")
SUMMARIES = {
    "strong_no": ("Не справился с базовыми вопросами.", "Опыт не подтвердился на интервью."),
    "no": ("Есть пробелы в SQL и асинхронности.", "Слабо отвечал про тестирование."),
    "yes": ("Уверенный бэкенд, хорошо объясняет решения.", "Крепкий middle, можно брать."),
    "strong_yes": ("Очень сильный кандидат, рекомендую.", "Отличные ответы по архитектуре."),
}
SCORE_MEAN = {"strong_no": 1.6, "no": 2.5, "yes": 3.7, "strong_yes": 4.4}
SCORE_COMMENTS = (
    "Хороший пример из практики",
    "Ответ поверхностный",
    "Не ответил на вторую часть вопроса",
    "Видно реальный опыт",
    "Путается в терминах",
)
CANDIDATE_NOTES = (
    "Просил не звонить до обеда",
    "Рассматривает только удалённую работу",
    "Переезжает в Москву весной",
    "Был у нас на собеседовании раньше",
    "Готов выйти через две недели",
)
SOURCES = (
    ("hh.ru", 40),
    ("Хабр Карьера", 15),
    ("Рекомендация сотрудника", 10),
    ("Сайт компании", 10),
    ("LinkedIn", 8),
    ("Telegram-канал", 8),
    ("Конференция", 2),
    ("", 7),
)
# Reserved test domains: realistic shapes, no real mailbox behind any address.
EMAIL_DOMAINS = (
    ("gmail.test", 30),
    ("yandex.test", 25),
    ("mail.test", 20),
    ("example.com", 10),
    ("example.org", 5),
    ("inbox.test", 5),
    ("proton.test", 5),
)

# -- names -----------------------------------------------------------------------------------

MALE = (
    "Александр Алексей Андрей Антон Артём Артур Богдан Вадим Василий Виктор Виталий Владимир "
    "Владислав Всеволод Георгий Глеб Григорий Даниил Денис Дмитрий Евгений Егор Иван Игорь "
    "Илья Кирилл Константин Лев Леонид Максим Марк Матвей Михаил Никита Николай Олег Павел "
    "Пётр Роман Руслан Святослав Семён Сергей Станислав Степан Тимофей Тимур Фёдор Юрий Ярослав"
).split()
FEMALE = (
    "Александра Алина Алиса Анастасия Ангелина Анна Валентина Валерия Вера Вероника Виктория "
    "Галина Дарья Диана Ева Евгения Екатерина Елена Елизавета Жанна Зарина Ирина Кристина "
    "Ксения Лариса Лидия Любовь Людмила Маргарита Марина Мария Милана Надежда Наталья Нина "
    "Оксана Ольга Полина Светлана София Таисия Татьяна Ульяна Юлия Яна"
).split()
_MALE_IN_A = {"Никита", "Илья", "Кузьма", "Савва", "Фома", "Лука"}
PATRONYMICS = [
    (male, male.removesuffix("ич") + "на")
    for male in (
        "Александрович Алексеевич Андреевич Антонович Артёмович Борисович Вадимович "
        "Васильевич Викторович Витальевич Владимирович Георгиевич Григорьевич Денисович "
        "Дмитриевич Евгеньевич Иванович Игоревич Кириллович Константинович Леонидович "
        "Максимович Михайлович Николаевич Олегович Павлович Петрович Романович Сергеевич "
        "Станиславович Тимурович Фёдорович Юрьевич Ярославович"
    ).split()
] + [("Ильич", "Ильинична")]
SURNAMES = (
    "Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров Морозов "
    "Волков Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов Андреев "
    "Макаров Никитин Захаров Зайцев Соловьёв Борисов Яковлев Григорьев Романов Воробьёв "
    "Сергеев Кузьмин Фролов Александров Дмитриев Королёв Гусев Киселёв Ильин Максимов Поляков "
    "Сорокин Виноградов Ковалёв Белов Медведев Антонов Тарасов Жуков Баранов Филиппов Комаров "
    "Давыдов Беляев Герасимов Богданов Осипов Сидоров Матвеев Титов Марков Миронов Крылов "
    "Куликов Карпов Власов Мельников Денисов Гаврилов Тихонов Казаков Афанасьев Данилов "
    "Савельев Тимофеев Фомин Чернов Абрамов Мартынов Ефимов Федотов Щербаков Назаров Калинин "
    "Исаев Чернышёв Быков Маслов Родионов Коновалов Лазарев Воронин Климов Филатов Пономарёв "
    "Голубев Кудрявцев Прохоров Наумов Потапов Журавлёв Овчинников Трофимов Леонов Соболев "
    "Ершов Колесников Гареев Хабибуллин Сафин Галиев Ахметов Шевченко Бондаренко Ткаченко "
    "Кравченко Коваленко Черных Белых Седых Долгих Островский Вишневский Покровский Трубецкой "
    "Аветисян Саркисян Петросян Гогуадзе Цой Ким"
).split()
_TRANSLIT = str.maketrans(
    {
        **dict(zip("абвгдеёзийклмнопрстуфыэ", "abvgdeezijklmnoprstufye", strict=True)),
        "ж": "zh",
        "х": "kh",
        "ц": "ts",
        "ч": "ch",
        "ш": "sh",
        "щ": "shch",
        "ъ": "",
        "ь": "",
        "ю": "yu",
        "я": "ya",
        "й": "y",
    }
)


def _feminine(surname: str) -> str:
    if surname.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return surname + "а"
    if surname.endswith("ий"):
        return surname[:-2] + "ая"
    if surname.endswith("ой") and len(surname) > 4:  # Трубецкой, not Цой
        return surname[:-2] + "ая"
    return surname


def _translit(text: str) -> str:
    return text.lower().translate(_TRANSLIT)


def _name_pools():
    """(male first names, female first names, male surnames): ours and bench/synthetic's."""
    male, female = list(MALE), list(FEMALE)
    for name in FIRST:
        is_female = name[-1] in "ая" and name not in _MALE_IN_A
        pool = female if is_female else male
        if name not in pool:
            pool.append(name)
    surnames = list(SURNAMES)
    for name in LAST:
        base = name[:-1] if name.endswith(("ова", "ева", "ёва", "ина")) else name
        if base not in surnames:
            surnames.append(base)
    return male, female, surnames


# -- text ------------------------------------------------------------------------------------

# Ordered roughly by how often the words occur: the weights fall along the list, so the
# first words are in nearly every answer and the last ones in a few percent (a search for
# them is selective, as for real rare words).
VOCABULARY = (
    "и в на с по для не что это как так уже ещё также где когда если чтобы потом был была "
    "было были мы я наш его их у из за от до при через "
    + " ".join(WORDS)
    + " работал работала делал делали использовал использовали писал писали настраивал "
    "поддерживал разрабатывал внедрял переписал ускорил команде проекте проекта проекты "
    "сервиса сервисы задачи задач данных базы базе запросы запросов кода коде тесты тестов "
    "систему системы бэкенд API нагрузку нагрузки время времени пользователей клиента "
    "клиентов компании продукт продукта решение решения подход подхода опыта практике "
    "профилировщик узкое место индексы шардирование репликация партиционирование вакуум "
    "блокировки дедлок гонка состояния кэш инвалидация очереди брокер сообщения консьюмер "
    "воркер воркеры планировщик миграции схема схемы нормализация транзакции изоляция откат "
    "ветка ревьюер линтер типизация аннотации корутины событийный цикл пул таймаут ретраи "
    "идемпотентность контракт спецификация аналитика алерты дашборд логи трейсинг инцидент "
    "постмортем дежурство фича флаг стейджинг прод окружение конфигурация секреты "
    "сертификаты балансировщик прокси бенчмарк регрессия покрытие моки фикстуры фабрики "
    "интеграционные сериализация вебхуки вебсокеты стриминг батчи шардинг полнотекстовый "
    "морфология ранжирование рекомендации биллинг платежи эквайринг антифрод скоринг "
    "маркетплейс логистика склад бронирование телеметрия оркестрация инфраструктура "
    "терраформ ансибл манифесты квоты лимиты автоскейлинг"
).split()

# English words of the trade, with how often they come up.
TECH = (
    ("Python", 30),
    ("SQL", 10),
    ("PostgreSQL", 9),
    ("Django", 9),
    ("Docker", 8),
    ("Git", 6),
    ("Linux", 5),
    ("Redis", 5),
    ("FastAPI", 5),
    ("asyncio", 4),
    ("Kubernetes", 4),
    ("Celery", 3),
    ("pytest", 3),
    ("Kafka", 2),
    ("RabbitMQ", 2),
    ("Flask", 2),
    ("SQLAlchemy", 2),
    ("Nginx", 2),
    ("ClickHouse", 1),
    ("MongoDB", 1),
    ("Grafana", 1),
    ("Prometheus", 1),
    ("GitLab", 1),
    ("TypeScript", 1),
)
TECH_RATE = 0.15  # sentences with an English tech word
# The long tail: each of these is put into a few sentences of the general pool only, so a
# search for one finds ~0.1% of the answers (the first ones ~1%), as for a rare real term.
RARE_TECH = (
    "Elasticsearch GraphQL gRPC Airflow Spark Tornado Memcached Terraform Ansible Sentry "
    "Haskell Elixir Erlang Cassandra ScyllaDB Tarantool Hadoop Cython PyPy Numba Dask "
    "Keycloak Vault Consul Istio Envoy Traefik HAProxy OpenSearch Sphinx Twisted Sanic "
    "Starlette Litestar aiogram Scrapy Playwright Selenium Locust JMeter Pulumi ArgoCD Jenkins "
    "TeamCity Bitbucket Jira Confluence YouTrack Zabbix VictoriaMetrics Loki Jaeger pgbouncer "
    "Patroni TimescaleDB Greenplum Vertica DuckDB NATS ZeroMQ Protobuf Parquet"
).split()

# Written sentences mixed into the generated ones; no digits, so that no skill claim is
# read from them by accident.
NATURAL = (
    "В последнем проекте я отвечал за бэкенд и интеграции с внешними сервисами.",
    "Сначала разбираюсь в требованиях, потом пишу тесты и только после этого код.",
    "Больше всего мне нравится находить узкие места и ускорять медленные запросы.",
    "Мы перешли с монолита на несколько сервисов, и это было непросто.",
    "Стараюсь писать код так, чтобы его было легко читать спустя долгое время.",
    "На код-ревью обращаю внимание на читаемость, тесты и обработку ошибок.",
    "Логи и метрики собирали централизованно, алерты приходили в мессенджер.",
    "Самой сложной была ошибка, которая воспроизводилась только под нагрузкой.",
    "Оказалось, что два процесса одновременно обновляли одну и ту же запись.",
    "Документацию ведём рядом с кодом, в репозитории.",
    "Задачи оцениваю вместе с командой, закладываю запас на неизвестное.",
    "Мне интересно развиваться в сторону архитектуры и надёжности.",
    "Хочу работать в команде, где ценят качество и открытое обсуждение.",
    "Использовал профилировщик, чтобы понять, где тратится время.",
    "Часть тяжёлых вычислений вынесли в фоновые задачи.",
    "Кеширование помогло снизить нагрузку на базу данных в несколько раз.",
    "Тесты запускаются в CI на каждый пулл-реквест.",
    "Для локальной разработки всё поднимается одной командой.",
    "Ёлки-палки, иногда приходилось чинить прод ночью.",
    "Всё ещё учусь, но уже уверенно чувствую себя в бэкенде.",
    "Настраивал мониторинг и дежурства для своей команды.",
    "Работал в распределённой команде из разных часовых поясов.",
    "Писал миграции данных без простоя сервиса.",
    "Разбирал инциденты и писал постмортемы без поиска виноватых.",
    "Нравится, когда решения принимаются на основе данных, а не ощущений.",
    "Объяснял новичкам, как устроен наш деплой и почему он такой.",
    "Считаю, что хороший тест описывает поведение, а не реализацию.",
    "Ещё люблю разбираться, как устроены библиотеки изнутри.",
)
CODE_BLOCKS = (
    "```python\ndef handler(event):\n    # обработка события\n    return event\n```",
    "```sql\nSELECT id, name FROM candidates WHERE created_at > now() - interval '1 day';\n```",
    "```python\nasync def fetch_all(urls):\n    return await asyncio.gather(*map(get, urls))\n```",
    "```python\n@lru_cache(maxsize=None)\ndef settings_for(tenant):\n    return load(tenant)\n```",
    "```bash\ndocker compose up -d db redis\n```",
)

# The bench questionnaire: bench/synthetic's questions (bench/import_bench.py makes the same
# one), each with the words its answers lean on.
BENCH_TOPICS = (
    "Python бэкенд коммерческой разработки проектах стартапе продуктовой аутсорсе финтехе",
    "профилировщик cProfile py-spy узкое место алгоритм сложность numpy векторизация память",
    "Django Flask FastAPI ORM админка сериализаторы middleware DRF pydantic роутинг",
    "asyncio корутины событийный цикл await gather aiohttp блокирующие вызовы GIL потоки",
    "PostgreSQL MySQL индексы EXPLAIN репликация партиционирование гигабайт терабайт вакуум",
    "Docker Kubernetes образ контейнер compose Helm поды деплой кластер манифесты",
    "Go Rust TypeScript Kotlin производительность типизация компилятор интересен изучаю",
    "pytest фикстуры моки покрытие интеграционные юнит TDD CI hypothesis",
    "гонка дедлок утечка памяти воспроизвести логи трейсинг бисекция таймзона кодировка",
    "ревью пулл-реквест замечания читаемость стиль линтер ruff mypy договорённости",
    "паттерн фабрика стратегия адаптер репозиторий наблюдатель слой абстракция",
    "логирование мониторинг Prometheus Grafana Sentry алерты метрики OpenTelemetry",
    "RabbitMQ Kafka Celery Redis очередь брокер консьюмер ретраи идемпотентность",
    "оценка сроки декомпозиция риски буфер спринт планирование неопределённость",
    "продукт команда развитие задачи интересные культура рост удалёнка офис",
)
LEAD_QUESTIONS = (
    (
        "Как вы вводите новых разработчиков в команду?",
        "онбординг наставник документация задачи первые недели адаптация",
    ),
    (
        "Как вы принимаете архитектурные решения в команде?",
        "архитектура RFC ADR обсуждение компромиссы Kafka PostgreSQL",
    ),
    (
        "Как вы работаете с техническим долгом?",
        "техдолг рефакторинг приоритеты бэклог договорённости продукт",
    ),
    (
        "Как вы планируете релизы и управляете рисками?",
        "релиз фича флаг откат риски стейджинг планирование",
    ),
    (
        "Как вы проводите встречи один на один и даёте обратную связь?",
        "обратная связь встречи развитие цели мотивация доверие",
    ),
    (
        "Расскажите о конфликте в команде и как вы его разрешили.",
        "конфликт договорились эмоции позиция компромисс медиация",
    ),
    (
        "Как вы оцениваете производительность команды?",
        "метрики DORA скорость качество предсказуемость ретроспектива",
    ),
    (
        "Как вы выстраиваете процесс код-ревью в команде?",
        "ревью правила линтер ruff пулл-реквест сроки ответственные",
    ),
    (
        "Как вы организуете дежурства и разбор инцидентов?",
        "дежурство инцидент постмортем алерты Kubernetes Grafana runbook",
    ),
    ("Как вы нанимаете людей в команду?", "найм интервью воронка скоринг кандидаты оффер"),
)

# Self-assessed skills written into answers (the importer reads them back as SkillClaim
# rows; interviews.sheets.skills.extract_claims reads exactly these). Per topic: chance, kind,
# skills with weights, how many at most.
CLAIMS = {
    "bench:0": (0.60, "years", (("Python", 1),), 1),
    "bench:2": (0.40, "rating", (("Django", 5), ("FastAPI", 4), ("Flask", 2)), 2),
    "bench:3": (0.12, "rating", (("asyncio", 1),), 1),
    "bench:4": (
        0.35,
        "either",
        (("PostgreSQL", 7), ("MySQL", 1), ("MongoDB", 1), ("ClickHouse", 1)),
        1,
    ),
    "bench:5": (0.30, "rating", (("Docker", 3), ("Kubernetes", 1)), 2),
    "bench:6": (0.30, "years", (("Go", 4), ("Rust", 2), ("TypeScript", 2), ("C++", 1)), 1),
    "bench:12": (0.35, "rating", (("Kafka", 2), ("RabbitMQ", 2), ("Celery", 2), ("Redis", 1)), 1),
    "lead:1": (0.20, "rating", (("Kafka", 1), ("PostgreSQL", 1)), 1),
    "lead:8": (0.25, "years", (("Kubernetes", 1), ("Docker", 1)), 1),
}
YEARS_TEMPLATES = (
    ("Коммерческий опыт: ", "{s} — {n} {y}", "."),
    ("Пишу на ", "{s} уже {n} {y}", ", в основном бэкенд."),
    ("С ", "{s} работаю {n} {y}", "."),
    ("Опыт с ", "{s} {n} {y}", "."),
)
WEAK_SKILLS = {"Go"}
RATING_TEMPLATES = (
    ("", "{s}: {v}/10", "."),
    ("Свой уровень в ", "{s} оцениваю на {v} из 10", "."),
    ("", "{s} — {v}/10", "."),
)


def _years_word(n: int) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return "год"
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return "года"
    return "лет"


def _cum(weights):
    return list(accumulate(weights))


class _Text:
    """Answer bodies: random sentences from pools built once, so an answer costs a few
    list picks and a join."""

    def __init__(self, rng: random.Random, topics: dict[str, list[str]]):
        self.vocab = VOCABULARY
        self.vocab_cum = _cum(1 / (rank + 8) ** 1.2 for rank in range(len(VOCABULARY)))
        self.tech = [word for word, _ in TECH]
        self.tech_cum = _cum(weight for _, weight in TECH)
        self.general = [self._sentence(rng, ()) for _ in range(3000)]
        for i, word in enumerate(RARE_TECH):
            for _ in range(10 if i < 10 else rng.randint(1, 2)):
                k = rng.randrange(len(self.general))
                sentence = self.general[k]
                self.general[k] = f"{sentence[:-1]}, {word}{sentence[-1]}"
        self.topics = {
            key: [self._sentence(rng, words) for _ in range(150)] for key, words in topics.items()
        }

    def _sentence(self, rng, topic_words) -> str:
        n = rng.randint(6, 14)
        words = rng.choices(self.vocab, cum_weights=self.vocab_cum, k=n)
        if topic_words:
            for _ in range(rng.randint(1, 2)):
                words[rng.randrange(n)] = rng.choice(topic_words)
        if rng.random() < TECH_RATE:
            words.insert(
                rng.randrange(n), rng.choices(self.tech, cum_weights=self.tech_cum, k=1)[0]
            )
        for i in range(len(words) - 1):
            if rng.random() < 0.08:
                words[i] += ","
        text = " ".join(words)
        return text[0].upper() + text[1:] + rng.choice(".....!?")

    def body(self, rng, topic: str, first: str = "") -> str:
        """An answer of MIN_ANSWER..MAX_ANSWER characters, lengths spread log-uniformly
        (short answers are the most common). ``first`` opens it."""
        target = MIN_ANSWER * (MAX_ANSWER / MIN_ANSWER) ** rng.random()
        pool = self.topics[topic]
        # (separator, piece): the last piece can be taken back without re-splitting.
        pieces = [("", first)] if first else []
        size = len(first)
        in_paragraph = 1 if first else 0
        paragraph = rng.randint(2, 4)
        while size < target:
            r = rng.random()
            if r < 0.03:
                block = rng.choice(CODE_BLOCKS)
            elif r < 0.05:
                block = "\n".join(
                    f"{i}. {rng.choice(pool)}" for i in range(1, rng.randint(2, 3) + 1)
                )
            else:
                block = None
            if block is not None:
                sep, in_paragraph = "\n\n", 0
                piece = block
            else:
                if r < 0.15:
                    piece = rng.choice(NATURAL)
                elif r < 0.5:
                    piece = rng.choice(pool)
                else:
                    piece = rng.choice(self.general)
                if in_paragraph >= paragraph:
                    sep, in_paragraph, paragraph = "\n\n", 0, rng.randint(2, 4)
                else:
                    sep = " "
                in_paragraph += 1
            if not pieces:
                sep = ""
            elif pieces[-1][1].startswith(("```", "1. ")):
                sep, in_paragraph = "\n\n", 1
            pieces.append((sep, piece))
            size += len(sep) + len(piece)
        # Overshot by one piece: before it the answer was shorter than the target, and
        # longer than MAX_ANSWER minus a piece (far above MIN_ANSWER).
        while size > MAX_ANSWER:
            sep, piece = pieces.pop()
            size -= len(sep) + len(piece)
        return "".join(sep + piece for sep, piece in pieces)

    @staticmethod
    def claims(rng, topic: str) -> tuple[str, list[tuple]]:
        """A sentence with self-assessed skills for the question, and the claims it makes
        as (skill, value, scale, years, snippet); ("", []) mostly."""
        rule = CLAIMS.get(topic)
        if rule is None or rng.random() >= rule[0]:
            return "", []
        _, kind, skills, most = rule
        names = [s for s, _ in skills]
        weights = [w for _, w in skills]
        picked = []
        for _ in range(rng.randint(1, most)):
            skill = rng.choices(names, weights=weights, k=1)[0]
            if skill not in picked:
                picked.append(skill)
        if kind == "either":
            kind = rng.choice(("years", "rating"))
        claims, snippets = [], []
        if kind == "years":
            skill = picked[0]
            # A short name that is also a word ("Go") counts only right at the number.
            templates = YEARS_TEMPLATES[:1] if skill in WEAK_SKILLS else YEARS_TEMPLATES
            prefix, template, suffix = rng.choice(templates)
            n = max(1, min(15, round(rng.lognormvariate(1.2, 0.5))))
            snippet = template.format(s=skill, n=n, y=_years_word(n))
            claims.append((skill, None, None, float(n), snippet))
            return prefix + snippet + suffix, claims
        single = len(picked) == 1
        prefix, template, suffix = rng.choice(RATING_TEMPLATES if single else RATING_TEMPLATES[:1])
        for skill in picked:
            value = min(10, max(2, round(rng.gauss(6.8, 1.6))))
            snippet = template.format(s=skill, v=value)
            claims.append((skill, float(value), 10, None, snippet))
            snippets.append(snippet)
        return prefix + ", ".join(snippets) + suffix, claims


# -- the plan --------------------------------------------------------------------------------


@dataclass(slots=True)
class _Candidate:
    id: int
    created: float
    full_name: str
    email: str
    phone: str
    telegram: str
    source: str
    notes: str
    legal_basis: str
    consent_method: str
    consent_at: float | None
    importer: int | None
    translit: str  # for file names
    last_activity: float = 0.0
    updated: float = 0.0
    archived: float | None = None
    anonymised: float | None = None
    applications: list = field(default_factory=list)


@dataclass(slots=True)
class _Interview:
    id: int
    kind: str
    round: int
    scheduled: float
    duration: int
    status: str
    interviewers: tuple
    location: str
    notes: str


@dataclass(slots=True)
class _Application:
    id: int
    candidate: _Candidate
    vacancy: int  # index into the vacancy list
    owner: int | None
    created: float
    changes: list  # (stage id, at, by, comment), first to last
    reason: str = ""
    interviews: list = field(default_factory=list)
    outcome: str = "open"  # open, hired, rejected
    submission: int | None = None
    revision: int = 1
    imported: float = 0.0
    scorecards: list = field(default_factory=list)


@dataclass(slots=True)
class _Scorecard:
    id: int
    application: _Application
    interview: _Interview
    reviewer: int
    recommendation: str
    created: float
    submitted: float | None


@functools.cache
class _Copies:
    """Copied answers and every answer's band hashes (interviews.copying), for one chunk of
    sheets: now and then an answer is an earlier sheet's answer to the same question with
    small edits (two sentences swapped, punctuation changed) after the copier's own opening,
    as candidates copy. Band hashes come from the function the import calls; the matches
    stored are those of these copies (the pairs the sentence pools make alike by chance
    are not looked for)."""

    RATE = 0.02  # of the answers of the latest sheets

    def __init__(self, rng: random.Random):
        self.rng = rng
        # question -> an earlier answer: its id, its author, its text after the opening, all
        self.earlier: dict[int, tuple[int, int, str, str]] = {}
        self.bands: list[tuple] = []
        self.matches: list[tuple] = []

    def answer(
        self, answer_id, person, questionnaire, question, text, opening, body
    ) -> tuple[str, bytes | None]:
        """The answer's body (now and then a copy) and its fingerprint (Answer.fingerprint)."""
        from interviews.sheets import similarity

        original = self.earlier.get(question)
        if original is not None and original[1] != person and self.rng.random() < self.RATE:
            copy = _edited(self.rng, opening, original[2])
            if MIN_ANSWER <= len(copy) <= MAX_ANSWER:
                body = copy
                mine = similarity.fingerprint(body, text)
                theirs = similarity.fingerprint(original[3], text)
                value = similarity.similarity(mine, theirs)
                if value >= similarity.THRESHOLD:
                    self.matches.append((answer_id, original[0], round(value, 4)))
        if not opening or body.startswith(opening):
            self.earlier[question] = (answer_id, person, body[len(opening) :].lstrip(), body)
        bands = similarity.fingerprint(body, text).bands
        base = answer_id * similarity.BANDS
        self.bands += [(base + n, answer_id, questionnaire, band) for n, band in enumerate(bands)]
        return body, similarity.pack_bands(bands)

    def rows(self):
        now = _dt(time.time())
        matches = [(a, b, value, now) for a, b, value in self.matches]
        return self.bands, matches


def _edited(rng, opening: str, text: str) -> str:
    """``text`` after ``opening``, two neighbouring sentences swapped and a comma made a
    dash: a copy that is not word for word."""
    sentences = text.split(". ")
    if len(sentences) > 2:
        i = rng.randrange(len(sentences) - 1)
        sentences[i], sentences[i + 1] = sentences[i + 1], sentences[i]
    edited = ". ".join(sentences).replace(", ", " — ", 1)
    return f"{opening} {edited}" if opening else edited


def _import_comment() -> str:
    from interviews.importing import import_comment

    return import_comment()


def _dt(ts):
    return None if ts is None else datetime.fromtimestamp(ts, UTC)


def _working_hours(rng, ts: float) -> float:
    """The same day or the next weekday, 10:00-17:30 Moscow time."""
    day = int(ts // DAY)
    while (day + 3) % 7 >= 5:  # 1970-01-01 was a Thursday
        day += 1
    return day * DAY + 7 * HOUR + rng.randrange(16) * 1800


# -- the database side -----------------------------------------------------------------------


def _schema(cursor) -> set[tuple]:
    """Every index and constraint of the current schema, as definitions."""
    cursor.execute(
        "SELECT 'index', tablename, indexname, indexdef FROM pg_indexes "
        "WHERE schemaname = current_schema() "
        "UNION ALL "
        "SELECT 'constraint', conrelid::regclass::text, conname, "
        "  concat_ws(' ', contype, pg_get_constraintdef(oid), condeferrable, condeferred, "
        "  convalidated) "
        "FROM pg_constraint WHERE connamespace = current_schema()::regnamespace"
    )
    return set(cursor.fetchall())


def _secondary_indexes(cursor, tables: list[str]) -> list[tuple[str, str, str | None, str]]:
    """(table, index, constraint or None, definition) of the indexes other than primary keys
    on ``tables``: the ones a bulk load can do without and rebuild faster."""
    cursor.execute(
        "SELECT t.relname, ic.relname, c.conname, "
        "  coalesce(pg_get_constraintdef(c.oid), pg_get_indexdef(i.indexrelid)) "
        "FROM pg_index i "
        "JOIN pg_class t ON t.oid = i.indrelid "
        "JOIN pg_class ic ON ic.oid = i.indexrelid "
        "LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid "
        "  AND c.contype IN ('u', 'x') "
        "WHERE t.relname = ANY(%s) AND t.relnamespace = current_schema()::regnamespace "
        "  AND NOT i.indisprimary "
        "ORDER BY t.relname, ic.relname",
        [tables],
    )
    return cursor.fetchall()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class _Stats:
    def __init__(self, stdout):
        self.stdout = stdout
        self.rows: dict[str, int] = {}
        self.seconds: dict[str, float] = {}
        self.lock = threading.Lock()

    def add(self, table, rows, seconds):
        with self.lock:
            self.rows[table] = self.rows.get(table, 0) + rows
            self.seconds[table] = self.seconds.get(table, 0.0) + seconds

    def say(self, text):
        self.stdout.write(text + "\n")
        if hasattr(self.stdout, "flush"):
            self.stdout.flush()

    def report(self, tables, wall, label=""):
        for table in tables:
            rows, seconds = self.rows.get(table, 0), self.seconds.get(table, 0.0)
            rate = rows / seconds if seconds else 0
            self.say(f"  {table:<34} {rows:>10,} rows {seconds:7.1f} s {rate:>9,.0f} rows/s")
        if label:
            self.say(f"  {label:<34} {'':>10}      {wall:7.1f} s (wall)")


class _Generator:
    def __init__(self, scale, seed, now, stdout):
        if scale <= 0:
            raise ValueError("scale must be positive")
        self.seed = seed
        self.n_candidates = max(1, round(CANDIDATES * scale))
        self.n_applications = max(self.n_candidates, round(APPLICATIONS * scale))
        self.n_submissions = min(self.n_applications, round(SUBMISSIONS * scale))
        self.n_scorecards = round(SCORECARDS * scale)
        if now is None:
            now = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        self.now = now.timestamp()
        self.start = self.now - YEARS * 365 * DAY
        self.stats = _Stats(stdout)

    def rng(self, *name) -> random.Random:
        # A string seed is hashed with SHA-512: the same stream on every run and platform.
        return random.Random(":".join(map(str, (self.seed, *name))))

    # -- small tables, through the ORM -----------------------------------------------------

    def check_empty(self):
        from interviews.models import Application, Candidate, Questionnaire, Vacancy

        for model in (Candidate, Application, Questionnaire, Vacancy):
            if model.objects.exists():
                raise RuntimeError(
                    f"generate() fills an empty database: {model._meta.db_table} has rows"
                )

    def small_tables(self):
        from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
        from django.contrib.auth.models import Group, User

        from interviews import roles
        from interviews.models import Question, Questionnaire, Stage, Vacancy

        started = time.perf_counter()
        rng = self.rng("users")
        male, female, surnames = _name_pools()
        # Nobody logs in with a password (tests force_login); make_password(None) would
        # be random, and the users' rows would differ from run to run.
        unusable = UNUSABLE_PASSWORD_PREFIX + "bench"

        def user(username, group):
            female_name = rng.random() < 0.5
            first = rng.choice(female if female_name else male)
            last = rng.choice(surnames)
            obj, _ = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": _feminine(last) if female_name else last,
                    "email": f"{username}@example.com",
                    "is_staff": True,
                    "password": unusable,
                    "date_joined": _dt(self.start - 30 * DAY),
                },
            )
            obj.groups.add(Group.objects.get_or_create(name=group)[0])
            return obj.pk

        self.hr = user("hr01", roles.HR_MANAGER)
        self.recruiters = [user(f"recruiter{i:02}", roles.RECRUITER) for i in range(1, 11)]
        self.interviewers = [user(f"interviewer{i:02}", roles.INTERVIEWER) for i in range(1, 21)]
        self.stats.add("auth_user", 1 + RECRUITERS + INTERVIEWERS, 0)

        bench = Questionnaire.objects.create(
            title="Bench", slug="bench", description="Анкета Python-разработчика."
        )
        lead = Questionnaire.objects.create(
            title="Bench: тимлид", slug="bench-lead", description="Анкета руководителя группы."
        )
        questions = Question.objects.bulk_create(
            [
                Question(
                    questionnaire=bench,
                    number=str(i),
                    position=i,
                    text=text,
                    rubric="Конкретные примеры из практики.",
                )
                for i, text in enumerate(QUESTIONS, start=1)
            ]
            + [
                Question(questionnaire=lead, number=str(i), position=i, text=text)
                for i, (text, _) in enumerate(LEAD_QUESTIONS, start=1)
            ]
        )
        # (question id, number, text, topic) per questionnaire.
        self.questions = {
            bench.pk: [
                (q.pk, q.number, q.text, f"bench:{i}")
                for i, q in enumerate(questions[: len(QUESTIONS)])
            ],
            lead.pk: [
                (q.pk, q.number, q.text, f"lead:{i}")
                for i, q in enumerate(questions[len(QUESTIONS) :])
            ],
        }
        self.topics = {f"bench:{i}": words.split() for i, words in enumerate(BENCH_TOPICS)}
        self.topics.update(
            {f"lead:{i}": words.split() for i, (_, words) in enumerate(LEAD_QUESTIONS)}
        )
        titles = [
            ("Python-разработчик (Backend)", "python-backend", bench),
            ("Senior Python Developer", "senior-python", bench),
            ("Middle Python-разработчик", "middle-python", bench),
            ("Django-разработчик", "django-developer", bench),
            ("Backend-разработчик (FastAPI)", "fastapi-backend", bench),
            ("Junior Python-разработчик", "junior-python", bench),
            ("Python-разработчик в платёжную команду", "python-payments", bench),
            ("Data Engineer (Python)", "data-engineer", bench),
            ("Team Lead Python", "team-lead-python", lead),
            ("ML Engineer", "ml-engineer", bench),
            ("Python-разработчик (интеграции)", "python-integrations", bench),
            ("DevOps-инженер", "devops", bench),
            ("Tech Lead (Backend)", "tech-lead-backend", lead),
            ("SRE-инженер", "sre", bench),
            ("Разработчик внутренних инструментов", "internal-tools", bench),
            ("Руководитель группы разработки", "head-of-development", lead),
            ("Python-разработчик (ETL)", "python-etl", bench),
            ("Архитектор решений", "solution-architect", lead),
            ("Стажёр Python", "python-intern", bench),
            ("Engineering Manager", "engineering-manager", lead),
        ]
        vacancies = Vacancy.objects.bulk_create(
            Vacancy(title=title, slug=slug, questionnaire=q, is_open=i < 14)
            for i, (title, slug, q) in enumerate(titles)
        )
        self.vacancies = [(v.pk, v.slug, v.questionnaire_id) for v in vacancies]
        # Popularity falls along the list, as it does across real openings.
        self.vacancy_cum = _cum(1 / (i + 1) ** 0.8 for i in range(len(vacancies)))
        self.stats.add("interviews_questionnaire", 2, 0)
        self.stats.add("interviews_question", len(questions), 0)
        self.stats.add("interviews_vacancy", len(vacancies), 0)

        stages = list(Stage.objects.order_by("order", "id"))
        self.active = [s.pk for s in stages if s.kind == Stage.Kind.ACTIVE]
        hired = [s.pk for s in stages if s.kind == Stage.Kind.HIRED]
        rejected = [s.pk for s in stages if s.kind == Stage.Kind.REJECTED]
        if not self.active or not hired or not rejected:
            raise RuntimeError("the database lacks the stages migration 0003 creates")
        self.hired, self.rejected = hired[0], rejected[0]
        self.stats.say(f"users, questionnaires, vacancies: {time.perf_counter() - started:.1f} s")

    # -- planning ----------------------------------------------------------------------------

    def plan(self):
        started = time.perf_counter()
        self.plan_candidates()
        self.plan_applications()
        self.plan_submissions()
        self.plan_people_state()
        self.plan_scorecards()
        self.stats.say(
            f"planned {len(self.candidates):,} candidates, {len(self.applications):,} "
            f"applications, {len(self.interviews):,} interviews: "
            f"{time.perf_counter() - started:.1f} s"
        )

    # The draws stay in one function, in one order: the generated data depends on that order.
    def plan_candidates(self):  # noqa: C901
        rng = self.rng("candidates")
        male, female, surnames = _name_pools()
        span = self.now - HOUR - self.start
        # Denser towards today: the company hires more every year.
        created = sorted(
            self.start + span * rng.random() ** (1 / 1.5) for _ in range(self.n_candidates)
        )
        sources, source_weights = zip(*SOURCES, strict=True)
        domains, domain_weights = zip(*EMAIL_DOMAINS, strict=True)
        used_emails, phones, telegrams = set(), [], []
        self.candidates = []
        for i, ts in enumerate(created):
            is_female = rng.random() < 0.35
            first = rng.choice(female if is_female else male)
            last = rng.choice(surnames)
            last = _feminine(last) if is_female else last
            middle = rng.choice(PATRONYMICS)[1 if is_female else 0]
            shape = rng.random()
            if shape < 0.45:
                full_name = f"{first} {last}"
            elif shape < 0.80:
                full_name = f"{last} {first} {middle}"
            elif shape < 0.96:
                full_name = f"{last} {first}"
            else:
                full_name = f"{_translit(first).title()} {_translit(last).title()}"
            if rng.random() < 0.5:
                # People write ё as е about half the time; the search treats them alike.
                full_name = full_name.replace("ё", "е")
            f, la = _translit(first), _translit(last)
            email = ""
            if rng.random() < 0.92:
                local = rng.choice(
                    (
                        f"{f}.{la}",
                        f"{f[0]}.{la}",
                        f"{la}.{f}",
                        f"{f}{la}",
                        f"{la}{f[0]}",
                        f"{f}_{la}",
                    )
                )
                if rng.random() < 0.35:
                    local += str(rng.choice((rng.randint(70, 99), rng.randint(1, 999))))
                domain = rng.choices(domains, weights=domain_weights, k=1)[0]
                email = f"{local}@{domain}"
                while email in used_emails:
                    email = f"{local}{rng.randint(1, 9999)}@{domain}"
                used_emails.add(email)
            phone = ""
            if rng.random() < 0.65:
                if phones and rng.random() < 0.01:
                    phone = rng.choice(phones)  # the same person entered twice
                else:
                    phone = f"+79{rng.randrange(10**9):09}"
                phones.append(phone)
            telegram = ""
            if rng.random() < 0.30:
                if telegrams and rng.random() < 0.005:
                    telegram = rng.choice(telegrams)
                else:
                    telegram = rng.choice((f"{f}_{la}", f"{f}{la}", f"{la}_dev", f"{f[0]}{la}"))
                    telegram = (telegram + str(rng.randint(1, 99)))[:32]
                telegrams.append(telegram)
            basis = rng.random()
            if basis < 0.80:
                legal_basis = "consent"
                method = rng.choices(("form", "email", "verbal"), weights=(6, 3, 1), k=1)[0]
                consent_at = ts
            else:
                legal_basis = "legitimate_interest" if basis < 0.92 else "contract"
                method, consent_at = "", None
                if basis > 0.97:
                    legal_basis = ""
            self.candidates.append(
                _Candidate(
                    id=i + 1,
                    created=ts,
                    full_name=full_name,
                    email=email,
                    phone=phone,
                    telegram=telegram,
                    source=rng.choices(sources, weights=source_weights, k=1)[0],
                    notes=rng.choice(CANDIDATE_NOTES) if rng.random() < 0.08 else "",
                    legal_basis=legal_basis,
                    consent_method=method,
                    consent_at=consent_at,
                    importer=rng.choice(self.recruiters) if rng.random() < 0.9 else None,
                    translit=f"{la}_{f}",
                )
            )

    def plan_applications(self):
        rng = self.rng("applications")
        n_vacancies = len(self.vacancies)
        # (created, candidate, vacancy): every candidate's first, then some candidates' second.
        specs = []
        for c in self.candidates:
            v = bisect(self.vacancy_cum, rng.random() * self.vacancy_cum[-1])
            specs.append((c.created + 0.2, c, v))
        for c in rng.sample(self.candidates, self.n_applications - self.n_candidates):
            first = specs[c.id - 1][2]
            v = first
            while v == first:
                v = rng.randrange(n_vacancies)
            room = self.now - HOUR - c.created
            later = min(rng.expovariate(1 / (120 * DAY)), room * rng.random())
            specs.append((c.created + 60 + later, c, v))
        specs.sort(key=lambda s: s[0])
        self.applications = []
        self.interviews = []
        for i, (ts, c, v) in enumerate(specs):
            owner = rng.choice(self.recruiters) if rng.random() < 0.95 else None
            app = _Application(
                id=i + 1, candidate=c, vacancy=v, owner=owner, created=ts, changes=[]
            )
            self.walk(rng, app)
            c.applications.append(app)
            self.applications.append(app)

    def walk(self, rng, app: _Application):
        """Move ``app`` along the funnel until it is hired, rejected, left waiting, or the
        next step would be after today."""
        # The first application comes with the candidate's first sheet, opened by the
        # import (Application.objects.open_many); later ones by their owner in the admin.
        if len(app.candidate.applications) == 0:
            comment = _import_comment()
            app.changes.append((self.active[0], app.created, app.candidate.importer, comment))
        else:
            app.changes.append((self.active[0], app.created, app.owner, ""))
        level, t = 0, app.created
        last = len(self.active) - 1
        while True:
            kind = INTERVIEW_KIND.get(level)
            held = []
            if kind == "screening" and rng.random() >= SCREENING_CALL:
                kind = None
            if kind:
                rounds = 2 if kind == "technical" and rng.random() < SECOND_TECHNICAL_ROUND else 1
                at = t
                for round_ in range(1, rounds + 1):
                    at = _working_hours(rng, at + rng.uniform(1, 6) * DAY)
                    duration = {"screening": 30, "technical": rng.choice((60, 90)), "final": 60}
                    interview = self.interview(rng, app, kind, round_, at, duration[kind])
                    held.append(interview)
                    at += interview.duration * 60
                t_decision = at
            else:
                t_decision = t
            t_next = t_decision + (0.2 + rng.expovariate(1 / 3)) * DAY
            advance = rng.random() < (ADVANCE[level] if level < len(ADVANCE) else 0.5)
            if t_next > self.now:
                break  # still in this stage today
            by = app.owner
            if held and rng.random() < 0.4:
                by = rng.choice(held[-1].interviewers)
            if advance:
                if level == last:
                    app.changes.append((self.hired, t_next, by, ""))
                    app.outcome = "hired"
                    break
                level, t = level + 1, t_next
                comment = rng.choice(STAGE_COMMENTS) if rng.random() < 0.12 else ""
                app.changes.append((self.active[level], t, by, comment))
                continue
            if rng.random() >= (CLOSE[level] if level < len(CLOSE) else 0.9):
                break  # nobody closed it
            reasons = REJECTION_REASONS[min(level, len(REJECTION_REASONS) - 1)]
            app.reason = rng.choice(reasons)
            if held and rng.random() < 0.08:
                held[-1].status = "cancelled"
                app.reason = WITHDREW
            app.changes.append((self.rejected, t_next, by, ""))
            app.outcome = "rejected"
            break

    def interview(self, rng, app, kind, round_, at, duration) -> _Interview:
        if kind == "screening":
            people = (app.owner or rng.choice(self.recruiters),)
            location = "Телефон"
        else:
            pool = self.interviewers[:6] if kind == "final" else self.interviewers
            people = tuple(rng.sample(pool, 2 if rng.random() < 0.4 else 1))
            if rng.random() < 0.75:
                code = "".join(rng.choices("abcdefghijkmnopqrstuvwxyz", k=10))
                location = f"https://meet.example.com/{code[:3]}-{code[3:7]}-{code[7:]}"
            else:
                location = rng.choice(ROOMS)
        interview = _Interview(
            id=len(self.interviews) + 1,
            kind=kind,
            round=round_,
            scheduled=at,
            duration=duration,
            status="planned" if at > self.now else "done",
            interviewers=people,
            location=location,
            notes=rng.choice(INTERVIEW_NOTES) if rng.random() < 0.25 else "",
        )
        self.interviews.append(interview)
        app.interviews.append(interview)
        return interview

    def plan_submissions(self):
        """Exactly n_submissions sheets, each linked to its own application, imported when
        the application was made; numbered in import order."""
        rng = self.rng("submissions")
        chosen = rng.sample(self.applications, self.n_submissions)
        for app in chosen:
            app.imported = min(app.created + rng.uniform(0.05, 2), self.now - 1)
        chosen.sort(key=lambda a: (a.imported, a.id))
        revisions: dict[tuple[int, int], int] = {}
        for i, app in enumerate(chosen):
            app.submission = i + 1
            key = (app.candidate.id, self.vacancies[app.vacancy][2])
            app.revision = revisions[key] = revisions.get(key, 0) + 1
        self.sheets = chosen
        # Only a sheet's latest revision has band hashes (interviews.copying).
        self.latest_revision = revisions

    def plan_people_state(self):
        """Last activity, edits, archiving and anonymisation, from what happened to each
        candidate's applications."""
        rng = self.rng("people")
        retention = RETENTION_DAYS * DAY
        closed = []
        for c in self.candidates:
            events = [c.created]
            for app in c.applications:
                events.append(app.changes[-1][1])
                if app.submission:
                    events.append(app.imported)
            c.last_activity = max(events)
            c.updated = c.created
            if rng.random() < 0.15:
                c.updated = rng.uniform(c.created, c.last_activity)
            if all(app.outcome == "rejected" for app in c.applications):
                closed.append(c)
        # Anonymised: retention passed and nothing open, then erased some weeks later.
        due = [c for c in closed if c.last_activity + retention + 30 * DAY < self.now]
        share = min(1.0, ANONYMISED * len(self.candidates) / max(1, len(due)))
        for c in due:
            if rng.random() < share:
                c.anonymised = min(
                    c.last_activity + retention + rng.uniform(1, 60) * DAY, self.now - HOUR
                )
        idle = [c for c in closed if c.anonymised is None and c.last_activity < self.now - 30 * DAY]
        share = min(1.0, ARCHIVED * len(self.candidates) / max(1, len(idle)))
        for c in idle:
            if rng.random() < share:
                c.archived = min(c.last_activity + rng.uniform(7, 120) * DAY, self.now - HOUR)

    def plan_scorecards(self):
        """Exactly n_scorecards, one per reviewer and application: first the interviewers
        of technical and final interviews on applications with a sheet, then screeners,
        then applications without a sheet (only when a tiny scale runs short)."""
        rng = self.rng("scorecards")
        slots = []
        for app in self.applications:
            seen = set()
            for interview in app.interviews:
                end = interview.scheduled + interview.duration * 60
                if interview.status != "done" or end > self.now:
                    continue
                for reviewer in interview.interviewers:
                    if reviewer in seen:
                        continue
                    seen.add(reviewer)
                    priority = (0 if interview.kind != "screening" else 1) + (
                        0 if app.submission else 2
                    )
                    slots.append((priority, rng.random(), app, interview, reviewer))
        slots.sort(key=lambda s: (s[0], s[1]))
        chosen = slots[: self.n_scorecards]
        cards = []
        for _, _, app, interview, reviewer in chosen:
            end = interview.scheduled + interview.duration * 60
            created = min(end + rng.uniform(0.1, 48) * HOUR, self.now - 60)
            submitted = created + rng.uniform(0.05, 24) * HOUR
            if submitted > self.now or (self.now - end < 3 * DAY and rng.random() < 0.5):
                submitted = None
            elif rng.random() < 0.07:
                submitted = None  # a draft nobody finished
            moved_on = any(ch[1] > end and ch[0] != self.rejected for ch in app.changes)
            if moved_on or app.outcome == "hired":
                recommendation = rng.choices(("strong_yes", "yes", "no"), weights=(3, 6, 1))[0]
            else:
                recommendation = rng.choices(("strong_no", "no", "yes"), weights=(3, 6, 1))[0]
            if submitted is None and rng.random() < 0.6:
                recommendation = ""
            cards.append((created, app, interview, reviewer, recommendation, submitted))
        cards.sort(key=lambda c: (c[0], c[1].id))
        self.scorecards = []
        for i, (created, app, interview, reviewer, recommendation, submitted) in enumerate(cards):
            card = _Scorecard(i + 1, app, interview, reviewer, recommendation, created, submitted)
            app.scorecards.append(card)
            self.scorecards.append(card)

    # -- writing -----------------------------------------------------------------------------

    def copy(self, conn, model, fields, rows) -> int:
        """COPY ``rows`` (tuples in the order of ``fields``, ready for the columns) into
        ``model``'s table. Not interviews.db.bulk.insert_rows: that one works on Django's
        connection and takes ids from the sequence, while these rows carry ids planned up
        front and go through several connections."""
        meta = model._meta
        columns = [meta.get_field(name).column for name in fields]
        started = time.perf_counter()
        n = 0
        with conn.cursor() as cursor:
            cursor.execute(
                "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass",
                [meta.db_table],
            )
            types = dict(cursor.fetchall())
            # Binary: several times faster than text for timestamps and numbers, on both
            # ends; jsonb columns take Python objects.
            statement = (
                f"COPY {_quote(meta.db_table)} ({', '.join(map(_quote, columns))}) "
                "FROM STDIN (FORMAT BINARY)"
            )
            with cursor.copy(statement) as copy:
                copy.set_types([types[column] for column in columns])
                for row in rows:
                    copy.write_row(row)
                    n += 1
        self.stats.add(meta.db_table, n, time.perf_counter() - started)
        return n

    def candidate_rows(self):
        for c in self.candidates:
            if c.anonymised is not None:
                name = f"Обезличенный кандидат #{c.id}"
                email = phone = telegram = notes = ""
            else:
                name, email, phone, telegram, notes = (
                    c.full_name,
                    c.email,
                    c.phone,
                    c.telegram,
                    c.notes,
                )
            yield (
                c.id,
                name,
                email,
                phone,
                telegram,
                c.source,
                notes,
                _dt(c.consent_at),
                c.consent_method,
                c.legal_basis,
                _dt(c.last_activity),
                _dt(c.anonymised),
                _dt(c.archived),
                _dt(c.created),
                _dt(c.updated),
            )

    def historical_candidate_rows(self):
        # As django-simple-history wrote it when the importer created the candidate;
        # anonymisation deletes a person's history (interviews.privacy.anonymize).
        for c in self.candidates:
            if c.anonymised is not None:
                continue
            created = _dt(c.created)
            yield (
                c.id,
                c.full_name,
                c.email,
                c.phone,
                c.telegram,
                c.source,
                c.notes,
                _dt(c.consent_at),
                c.consent_method,
                c.legal_basis,
                created,
                None,
                None,
                created,
                created,
                created,
                "+",
                c.importer,
            )

    def application_rows(self):
        for app in self.applications:
            stage, at, _, _ = app.changes[-1]
            yield (
                app.id,
                app.candidate.id,
                self.vacancies[app.vacancy][0],
                stage,
                _dt(at),
                app.owner,
                "" if app.candidate.anonymised else app.reason,
                _dt(app.created),
            )

    def stage_change_rows(self):
        n = 0
        for app in self.applications:
            anonymised = app.candidate.anonymised is not None
            previous = None
            for stage, at, by, comment in app.changes:
                n += 1
                yield (n, app.id, previous, stage, by, _dt(at), "" if anonymised else comment)
                previous = stage

    def historical_application_rows(self):
        # One row per save: "+" when created, "~" for every stage move after it.
        for app in self.applications:
            if app.candidate.anonymised is not None:
                continue
            created = _dt(app.created)
            vacancy = self.vacancies[app.vacancy][0]
            for i, (stage, at, by, _) in enumerate(app.changes):
                reason = app.reason if stage == self.rejected else ""
                yield (
                    app.id,
                    _dt(at),
                    reason,
                    created,
                    _dt(at),
                    "~" if i else "+",
                    app.candidate.id,
                    by,
                    app.owner,
                    stage,
                    vacancy,
                )

    def interview_rows(self):
        for app in self.applications:
            anonymised = app.candidate.anonymised is not None
            for iv in app.interviews:
                yield (
                    iv.id,
                    app.id,
                    iv.kind,
                    iv.round,
                    _dt(iv.scheduled),
                    iv.duration,
                    "" if anonymised else iv.location,
                    iv.status,
                    "" if anonymised else iv.notes,
                    0,  # no invitation sent again yet
                )

    def interviewer_rows(self):
        n = 0
        for iv in self.interviews:
            for user in iv.interviewers:
                n += 1
                yield (n, iv.id, user)

    def scorecard_rows(self):
        rng = self.rng("summaries")
        self.summaries = {}
        for card in self.scorecards:
            summary = ""
            if card.recommendation and card.application.candidate.anonymised is None:
                summary = rng.choice(SUMMARIES[card.recommendation])
            self.summaries[card.id] = summary
            updated = card.submitted or card.created
            yield (
                card.id,
                card.application.id,
                card.reviewer,
                card.interview.id,
                card.recommendation,
                summary,
                _dt(card.submitted),
                _dt(card.created),
                _dt(updated),
            )

    def historical_scorecard_rows(self):
        # Created as a draft in the admin, then submitted: "+" then "~".
        for card in self.scorecards:
            if card.application.candidate.anonymised is not None:
                continue
            created = _dt(card.created)
            base = (card.id, card.application.id, card.reviewer, card.interview.id)
            if card.submitted is None:
                yield (
                    *base,
                    card.recommendation,
                    self.summaries[card.id],
                    None,
                    created,
                    created,
                    created,
                    "+",
                    card.reviewer,
                )
                continue
            yield (*base, "", "", None, created, created, created, "+", card.reviewer)
            submitted = _dt(card.submitted)
            yield (
                *base,
                card.recommendation,
                self.summaries[card.id],
                submitted,
                created,
                submitted,
                submitted,
                "~",
                card.reviewer,
            )

    def answer_scores(self):
        """(id, scorecard, answer id, score, comment, scored at) for every scored answer:
        all answers of the application's sheet once submitted, some of them in a draft."""
        rng = self.rng("scores")
        n = 0
        for card in self.scorecards:
            sheet = card.application.submission
            if sheet is None:
                continue
            count = ANSWERS_PER_SHEET if card.submitted else rng.randint(0, ANSWERS_PER_SHEET)
            mean = SCORE_MEAN.get(card.recommendation, 3.0)
            anonymised = card.application.candidate.anonymised is not None
            first_answer = (sheet - 1) * ANSWERS_PER_SHEET + 1
            for position in range(count):
                n += 1
                score = min(5, max(1, round(rng.gauss(mean, 0.9))))
                comment = ""
                if not anonymised and rng.random() < 0.1:
                    comment = rng.choice(SCORE_COMMENTS)
                at = card.created + position * 30
                yield n, card, first_answer + position, score, comment, at

    def answer_score_rows(self):
        for n, card, answer, score, comment, _ in self.answer_scores():
            yield (n, card.id, answer, score, comment)

    def historical_answer_score_rows(self):
        for n, card, answer, score, comment, at in self.answer_scores():
            if card.application.candidate.anonymised is None:
                yield (n, card.id, answer, score, comment, _dt(at), "+", card.reviewer)

    def data_event_rows(self):
        rng = self.rng("data events")
        n = 0
        for c in self.candidates:
            if c.anonymised is not None:
                n += 1
                details = {"keep_answers": False, "forced": False}
                yield (n, "anonymized", c.id, c.id, self.hr, _dt(c.anonymised), details)
            elif rng.random() < 0.003:
                n += 1
                at = rng.uniform(c.created, self.now - HOUR)
                yield (n, "exported", c.id, c.id, rng.choice(self.recruiters), _dt(at), {})

    # -- sheets and answers --------------------------------------------------------------

    def sheet_questions(self, rng, app) -> list[tuple]:
        """What a sheet answers: (question, opening sentence, skill claims) per answer.
        Drawn from a stream of its own, so that the claims can be counted before the
        text is made (their ids must not depend on which connection takes which chunk)."""
        questions = self.questions[self.vacancies[app.vacancy][2]]
        asked = questions
        if len(questions) > ANSWERS_PER_SHEET:
            asked = sorted(rng.sample(questions, ANSWERS_PER_SHEET), key=lambda q: int(q[1]))
        return [(q, *_Text.claims(rng, q[3])) for q in asked]

    def number_claims(self):
        """The first skill claim id of every chunk of sheets."""
        self.claim_base = []
        n = 0
        for k in range(self.chunks):
            self.claim_base.append(n)
            rng = self.rng("questions", k)
            for app in self.sheets[k * CHUNK : (k + 1) * CHUNK]:
                n += sum(len(found) for _, _, found in self.sheet_questions(rng, app))

    def sheet_chunk(self, conn, k):
        """Sheets k*CHUNK... with their answers and skill claims: the text is made once,
        for the sheet's original text and for its answers."""
        from interviews.models import Answer, AnswerBand, AnswerMatch, SkillClaim, Submission

        questions_rng, text_rng = self.rng("questions", k), self.rng("sheets", k)
        started = time.perf_counter()
        submissions, answers, claims = [], [], []
        copies = _Copies(self.rng("copies", k))
        claim_id = self.claim_base[k]
        for app in self.sheets[k * CHUNK : (k + 1) * CHUNK]:
            plan = self.sheet_questions(questions_rng, app)
            claim_id = self.sheet(
                text_rng, app, plan, claim_id, submissions, answers, claims, copies
            )
        # Making the text is part of what the answers cost.
        self.stats.add("interviews_answer", 0, time.perf_counter() - started)
        self.copy(conn, Submission, SUBMISSION_FIELDS, submissions)
        self.copy(conn, Answer, ANSWER_FIELDS, answers)
        self.copy(conn, SkillClaim, CLAIM_FIELDS, claims)
        started = time.perf_counter()
        bands, matches = copies.rows()
        self.stats.add("interviews_answerband", 0, time.perf_counter() - started)
        self.copy(conn, AnswerBand, BAND_FIELDS, bands)
        self.copy(conn, AnswerMatch, MATCH_FIELDS, matches)

    def sheet(self, rng, app, plan, claim_id, submissions, answers, claims, copies) -> int:
        c = app.candidate
        sid = app.submission
        _, slug, questionnaire = self.vacancies[app.vacancy]
        lead = plan[0][0][3].startswith("lead")
        title = "Анкета тимлида" if lead else "Ответы на анкету"
        # Front matter as candidates send it; the importer reads these keys.
        head = ["---", f"name: {c.full_name}"]
        if c.email:
            head.append(f"email: {c.email}")
        if c.phone and rng.random() < 0.5:
            p = c.phone
            raw = rng.choice(
                (f"8 ({p[2:5]}) {p[5:8]}-{p[8:10]}-{p[10:]}", f"+7 {p[2:5]} {p[5:]}", p)
            )
            head.append(f'phone: "{raw}"')
        if c.telegram and rng.random() < 0.5:
            head.append(f'telegram: "@{c.telegram}"')
        if rng.random() < 0.3:
            head.append(f"vacancy: {slug}")
        head += ["---", f"# {title}", ""]
        line = len(head) + 1  # of the next heading
        parts = ["\n".join(head)]
        anonymised = c.anonymised is not None
        first_answer = (sid - 1) * ANSWERS_PER_SHEET
        latest = app.revision == self.latest_revision[(c.id, questionnaire)]
        for position, ((qid, number, text, topic), opening, found) in enumerate(plan, start=1):
            answer_id = first_answer + position
            body = self.text.body(rng, topic, opening)
            # Fingerprints as the import writes them; an earlier revision's are left out
            # (not matched, not worth their hashing here), an anonymised person's cleared.
            fingerprint = None
            if not anonymised and latest:
                body, fingerprint = copies.answer(
                    answer_id, c.id, questionnaire, qid, text, opening, body
                )
            parts.append(f"\n#### {number}. {text}\n\n{body}\n")
            answers.append(
                (
                    answer_id,
                    sid,
                    qid,
                    f"{number}.",
                    "" if anonymised else text,
                    "" if anonymised else body,
                    position,
                    line,
                    fingerprint,
                )
            )
            line += 4 + body.count("\n")
            for skill, value, scale, years, snippet in found:
                claim_id += 1
                snippet = "" if anonymised else snippet
                claims.append((claim_id, c.id, sid, answer_id, skill, value, scale, years, snippet))
        original = "".join(parts)
        sha256 = hashlib.sha256(original.encode()).hexdigest()
        answered = {q[0] for q, _, _ in plan}
        missing = [q[1] for q in self.questions[questionnaire] if q[0] not in answered]
        warnings = ["questions without an answer: " + ", ".join(missing)] if missing else []
        source_name = f"{c.translit}.md" if rng.random() < 0.6 else f"answers_{sid:06}.md"
        preamble = f"# {title}"
        if anonymised:
            # What interviews.privacy.anonymize leaves of a sheet.
            source_name, original, title, preamble, warnings = "", "", "", "", []
            sha256 = ""
        submissions.append(
            (
                sid,
                c.id,
                questionnaire,
                app.id,
                source_name,
                sha256,
                original,
                "utf-8",
                title,
                preamble,
                "",
                app.revision,
                _dt(app.imported),
                app.owner,
                warnings,
                False,  # needs_review: generated sheets are answer sheets
                "",  # source_url, source_raw_url, source_etag, source_commit: files, not links
                "",
                "",
                "",
            )
        )
        return claim_id

    # -- running -----------------------------------------------------------------------------

    def run_tasks(self, conns, tasks):
        """Run ``tasks`` (callables taking a connection), each connection taking the next
        one as soon as it is free."""
        if len(conns) == 1:
            for task in tasks:
                task(conns[0])
            return
        queue = list(reversed(tasks))
        lock = threading.Lock()
        errors = []

        def work(conn):
            while True:
                with lock:
                    if not queue or errors:
                        return
                    task = queue.pop()
                try:
                    task(conn)
                except BaseException as exc:
                    errors.append(exc)
                    return

        threads = [threading.Thread(target=work, args=(conn,)) for conn in conns]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]

    def phase(self, conns, label, tasks, tables):
        started = time.perf_counter()
        self.run_tasks(conns, tasks)
        self.stats.report(tables, time.perf_counter() - started, label)

    def write(self, conns):
        from interviews.models import (
            AnswerScore,
            Application,
            Candidate,
            DataProtectionEvent,
            Interview,
            Scorecard,
            StageChange,
        )

        def task(model, fields, rows):
            return lambda conn: self.copy(conn, model, fields, rows())

        def tables(*models):
            return [model._meta.db_table for model in models]

        candidate_history = Candidate.history.model
        application_history = Application.history.model
        scorecard_history = Scorecard.history.model
        score_history = AnswerScore.history.model
        interviewers = Interview.interviewers.through
        self.phase(
            conns,
            "candidates",
            [
                task(Candidate, CANDIDATE_FIELDS, self.candidate_rows),
                task(
                    candidate_history, HISTORICAL_CANDIDATE_FIELDS, self.historical_candidate_rows
                ),
            ],
            tables(Candidate, candidate_history),
        )
        self.phase(
            conns,
            "",
            [task(Application, APPLICATION_FIELDS, self.application_rows)],
            tables(Application),
        )
        self.phase(
            conns,
            "stage history",
            [
                task(StageChange, STAGE_CHANGE_FIELDS, self.stage_change_rows),
                task(
                    application_history,
                    HISTORICAL_APPLICATION_FIELDS,
                    self.historical_application_rows,
                ),
            ],
            tables(StageChange, application_history),
        )
        started = time.perf_counter()
        self.text = _Text(self.rng("text"), self.topics)
        self.chunks = (len(self.sheets) + CHUNK - 1) // CHUNK
        self.number_claims()
        self.stats.say(f"  sentence pools, claim numbering: {time.perf_counter() - started:.1f} s")
        self.phase(
            conns,
            f"sheets on {len(conns)} connection(s)",
            [lambda conn, k=k: self.sheet_chunk(conn, k) for k in range(self.chunks)],
            [
                "interviews_submission",
                "interviews_answer",
                "interviews_skillclaim",
                "interviews_answerband",
                "interviews_answermatch",
            ],
        )
        self.phase(
            conns,
            "",
            [task(Interview, INTERVIEW_FIELDS, self.interview_rows)],
            tables(Interview),
        )
        self.phase(
            conns,
            "scorecards",
            [
                task(interviewers, ["id", "interview", "user"], self.interviewer_rows),
                task(Scorecard, SCORECARD_FIELDS, self.scorecard_rows),
            ],
            tables(interviewers, Scorecard),
        )
        self.phase(
            conns,
            "scores",
            [
                task(AnswerScore, ANSWER_SCORE_FIELDS, self.answer_score_rows),
                task(
                    scorecard_history, HISTORICAL_SCORECARD_FIELDS, self.historical_scorecard_rows
                ),
            ],
            tables(AnswerScore, scorecard_history),
        )
        self.phase(
            conns,
            "audit",
            [
                task(score_history, HISTORICAL_SCORE_FIELDS, self.historical_answer_score_rows),
                task(DataProtectionEvent, DATA_EVENT_FIELDS, self.data_event_rows),
            ],
            tables(score_history, DataProtectionEvent),
        )

    def drop_indexes(self, conn, tables) -> list[tuple]:
        with conn.cursor() as cursor:
            indexes = _secondary_indexes(cursor, tables)
            for table, index, constraint, _ in indexes:
                if constraint:
                    cursor.execute(
                        f"ALTER TABLE {_quote(table)} DROP CONSTRAINT {_quote(constraint)}"
                    )
                else:
                    cursor.execute(f"DROP INDEX {_quote(index)}")
        return indexes

    def rebuild_indexes(self, conns, indexes):
        """Re-create what drop_indexes dropped, from the definitions it read: biggest
        tables first, so that the connections finish together."""
        with conns[0].cursor() as cursor:
            cursor.execute(
                "SELECT relname, pg_total_relation_size(oid) FROM pg_class "
                "WHERE relname = ANY(%s) AND relnamespace = current_schema()::regnamespace",
                [sorted({table for table, *_ in indexes})],
            )
            sizes = dict(cursor.fetchall())

        def statement(table, index, constraint, definition):
            if constraint:
                return (
                    f"ALTER TABLE {_quote(table)} ADD CONSTRAINT {_quote(constraint)} {definition}"
                )
            return definition

        def cost(item):
            # A GIN index on text costs several btrees of the same table.
            return sizes.get(item[0], 0) * (8 if " USING gin " in item[3] else 1)

        def task(sql):
            def run(conn):
                started = time.perf_counter()
                with conn.cursor() as cursor:
                    cursor.execute(sql)
                self.index_seconds[sql] = time.perf_counter() - started

            return run

        self.index_seconds = {}
        ordered = sorted(indexes, key=cost, reverse=True)
        self.run_tasks(conns, [task(statement(*item)) for item in ordered])

    def reset_sequences(self):
        from django.apps import apps
        from django.core.management.color import no_style
        from django.db import connection

        models = [
            model
            for model in apps.get_models(include_auto_created=True)
            if model._meta.app_label in ("interviews", "auth")
        ]
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)

    def vacuum_analyze(self, conns):
        with conns[0].cursor() as cursor:
            cursor.execute(
                "SELECT relname FROM pg_class WHERE relkind = 'r' "
                "AND relnamespace = current_schema()::regnamespace "
                "ORDER BY pg_total_relation_size(oid) DESC"
            )
            tables = [row[0] for row in cursor.fetchall()]

        def task(table):
            def run(conn):
                with conn.cursor() as cursor:
                    cursor.execute(f"VACUUM (ANALYZE) {_quote(table)}")

            return run

        self.run_tasks(conns, [task(table) for table in tables])


# Columns of each COPY, by field name, in the order the row tuples give them.
CANDIDATE_FIELDS = (
    "id full_name email phone telegram source notes consent_at consent_method legal_basis "
    "last_activity_at anonymized_at archived_at created_at updated_at"
).split()
HISTORY = ["history_date", "history_type", "history_user"]
HISTORICAL_CANDIDATE_FIELDS = CANDIDATE_FIELDS + HISTORY
APPLICATION_FIELDS = (
    "id candidate vacancy stage stage_changed_at owner rejection_comment created_at".split()
)
HISTORICAL_APPLICATION_FIELDS = (
    "id stage_changed_at rejection_comment created_at history_date history_type candidate "
    "history_user owner stage vacancy"
).split()
STAGE_CHANGE_FIELDS = "id application from_stage to_stage by at comment".split()
SUBMISSION_FIELDS = (
    "id candidate questionnaire application source_name sha256 original_text encoding title "
    "preamble trailer revision imported_at imported_by warnings needs_review source_url "
    "source_raw_url source_etag source_commit"
).split()
ANSWER_FIELDS = "id submission question label question_text body position line fingerprint".split()
BAND_FIELDS = "id answer questionnaire band".split()
MATCH_FIELDS = "answer other_answer similarity found_at".split()
CLAIM_FIELDS = "id candidate submission answer skill value scale years snippet".split()
INTERVIEW_FIELDS = (
    "id application kind round scheduled_at duration_minutes location status notes sequence"
).split()
SCORECARD_FIELDS = (
    "id application reviewer interview recommendation summary submitted_at created_at updated_at"
).split()
HISTORICAL_SCORECARD_FIELDS = SCORECARD_FIELDS + HISTORY
ANSWER_SCORE_FIELDS = "id scorecard answer score comment".split()
HISTORICAL_SCORE_FIELDS = ANSWER_SCORE_FIELDS + HISTORY
DATA_EVENT_FIELDS = "id kind candidate candidate_ref by at details".split()

# Tables that get most of the rows: their secondary indexes are dropped for the load.
BULK_TABLES = [
    "interviews_candidate",
    "interviews_historicalcandidate",
    "interviews_application",
    "interviews_historicalapplication",
    "interviews_stagechange",
    "interviews_submission",
    "interviews_answer",
    "interviews_skillclaim",
    "interviews_answerband",
    "interviews_answermatch",
    "interviews_interview",
    "interviews_interview_interviewers",
    "interviews_scorecard",
    "interviews_historicalscorecard",
    "interviews_answerscore",
    "interviews_historicalanswerscore",
]


# Tables whose triggers keep the funnel report's summary (interviews_funnel_*).
FUNNEL_TABLES = ["interviews_candidate", "interviews_application", "interviews_stagechange"]


@contextmanager
def _connections():
    """Raw psycopg connections to load with: WORKERS new ones, or, inside a transaction
    (a test), Django's own, whose uncommitted rows other connections could not see."""
    from django.db import DEFAULT_DB_ALIAS, connection, connections

    connection.ensure_connection()
    if connection.in_atomic_block:
        with connection.connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        yield [connection.connection]
        return
    wrappers = []
    try:
        for _ in range(WORKERS):
            wrapper = connections.create_connection(DEFAULT_DB_ALIAS)
            wrapper.ensure_connection()
            wrappers.append(wrapper)
        raw = [wrapper.connection for wrapper in wrappers]
        for conn in raw:
            # A lost benchmark database is re-made, not recovered: no need to wait for
            # each commit to reach the disk. Index builds sort in memory.
            conn.execute("SET synchronous_commit = off")
            conn.execute("SET maintenance_work_mem = '1GB'")
        yield raw
    finally:
        for wrapper in wrappers:
            wrapper.close()


def generate(
    scale: float = 1.0,
    *,
    seed: int = 0,
    analyze: bool = True,
    stdout=sys.stdout,
    now: datetime | None = None,
) -> dict[str, int]:
    """Fill the (migrated, empty) database Django is connected to; return the rows written
    per table. ``analyze=False`` skips VACUUM ANALYZE, which cannot run in a transaction."""
    from django.db import connection

    if connection.vendor != "postgresql":
        raise RuntimeError("bench/generate.py needs PostgreSQL (COPY, tsvector)")
    if analyze and connection.in_atomic_block:
        raise ValueError("VACUUM cannot run inside a transaction: pass analyze=False")
    g = _Generator(scale, seed, now, stdout)
    say = g.stats.say
    started = time.perf_counter()
    say(f"generating at scale {scale:g} (seed {seed})")
    g.check_empty()
    g.small_tables()
    g.plan()
    with _connections() as conns:
        with conns[0].cursor() as cursor:
            schema = _schema(cursor)
        step = time.perf_counter()
        dropped = g.drop_indexes(conns[0], BULK_TABLES)
        say(f"dropped {len(dropped)} secondary indexes: {time.perf_counter() - step:.1f} s")
        # The funnel summary's triggers (migration 0012) would work through each COPY
        # row by row: they are off for the load, and the summary is built once after it.
        with conns[0].cursor() as cursor:
            for table in FUNNEL_TABLES:
                cursor.execute(f"ALTER TABLE {_quote(table)} DISABLE TRIGGER USER")
        g.write(conns)
        step = time.perf_counter()
        if connection.in_atomic_block:
            # Foreign keys are checked at commit, and an index cannot be built on a table
            # with checks pending: run them now (as Django's TestCase does at its end).
            with conns[0].cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        g.rebuild_indexes(conns, dropped)
        say(f"rebuilt {len(dropped)} indexes: {time.perf_counter() - step:.1f} s (wall)")
        for sql, seconds in sorted(g.index_seconds.items(), key=lambda i: -i[1])[:5]:
            say(f"  {seconds:6.1f} s  {sql[:90]}")
        with conns[0].cursor() as cursor:
            rebuilt = _schema(cursor)
        if rebuilt != schema:
            raise RuntimeError(
                "the schema differs from the migrations' after the load: missing "
                f"{sorted(schema - rebuilt)}, unexpected {sorted(rebuilt - schema)}"
            )
        step = time.perf_counter()
        with conns[0].cursor() as cursor:
            for table in FUNNEL_TABLES:
                cursor.execute(f"ALTER TABLE {_quote(table)} ENABLE TRIGGER USER")
            cursor.execute("SELECT interviews_funnel_rebuild()")
        say(f"funnel summary: {time.perf_counter() - step:.1f} s")
        g.reset_sequences()
        if analyze:
            step = time.perf_counter()
            g.vacuum_analyze(conns)
            say(f"VACUUM ANALYZE: {time.perf_counter() - step:.1f} s")
    total = sum(g.stats.rows.values())
    say(f"done: {total:,} rows in {time.perf_counter() - started:.1f} s")
    return dict(sorted(g.stats.rows.items()))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_SCALE", 1.0)))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--no-analyze", dest="analyze", action="store_false", help="skip VACUUM ANALYZE"
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zvonok_bench_scale"
        ),
    )
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        parser.error("--database-url: PostgreSQL only (postgres://...)")

    started = time.perf_counter()
    fresh_database(args.database_url)
    setup_django(args.database_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(f"database created and migrated: {time.perf_counter() - started:.1f} s")
    generate(args.scale, seed=args.seed, analyze=args.analyze)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"total with migrations: {time.perf_counter() - started:.1f} s, peak RSS {peak:.0f} MB")


if __name__ == "__main__":
    main()
