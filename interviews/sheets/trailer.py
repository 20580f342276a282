"""Project boilerplate below the answers: the text a project generator wrote into the README
("Available Scripts", "Learn More", "Deployment", "`npm run build` fails to minify" of the
stock create-react-app README, "Project setup" of Vue CLI's, "Development server" of
Angular's), which candidates often leave under their answers.

A heading is such boilerplate when its whole text is one of the generators' headings below.
The planner (:mod:`.plan`) only trusts it after the numbered run of questions has ended: the
same words before the last question are a topic or part of an answer. From that heading on,
the text is the sheet's trailer, not extra answers, and the sheet says so in a warning.
"""

# Russian words in the pattern are headings as candidates translate them, not look-alikes.

from __future__ import annotations

import re

from . import messages

__all__ = ["GENERATOR_HEADING", "is_generator_heading", "trailer_warning"]

GENERATOR_HEADING = re.compile(
    r"(?:"
    # create-react-app
    r"getting started with create react app|available scripts|learn more|deployment|"
    r"(?:npm|yarn) (?:run )?build fails to minify|code splitting|analy[sz]ing the bundle size|"
    r"making a progressive web app|advanced configuration|"
    r"(?:npm|yarn) (?:run )?(?:start|test|build|eject)|"
    # Vue CLI
    r"project setup|compiles and (?:hot-reloads|minifies) for (?:development|production)|"
    r"lints and fixes files|customi[sz]e configuration|"
    # Angular CLI, Vite
    r"development server|code scaffolding|running (?:unit|end-to-end) tests|further help|"
    r"expanding the eslint configuration|"
    # the same, translated
    r"доступные скрипты|узнать больше|развёртывание|развертывание|настройка проекта|"
    r"сборка для продакшена|запуск тестов"
    r")\W*$",
    re.IGNORECASE,
)


def is_generator_heading(text: str) -> bool:
    """Whether a heading's plain text is one of a project generator's README headings."""
    return GENERATOR_HEADING.match(text.replace("`", "").strip()) is not None


def trailer_warning(line: int, heading: str) -> str:
    """The warning of a sheet whose trailer starts with generator boilerplate at ``line``
    (1-based), from its template in :mod:`.messages`."""
    return messages.GENERATOR_TRAILER % {"line": line, "heading": repr(heading)}
