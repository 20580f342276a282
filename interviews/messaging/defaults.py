"""The message templates Zvonok ships, in Russian and English, for HR to edit.

Keyed by (purpose, language); a data migration loads them into the templates table, so
they are written in the same language as any template HR writes (templates.py) and the
tests render every one of them.
"""

REJECTION = "rejection"
INTERVIEW_INVITATION = "interview_invitation"
QUESTIONNAIRE_INVITATION = "questionnaire_invitation"
RECEIPT = "receipt"

PURPOSES = (REJECTION, INTERVIEW_INVITATION, QUESTIONNAIRE_INVITATION, RECEIPT)
LANGUAGES = ("ru", "en")

#: (purpose, language) -> (subject, body)
DEFAULT_TEMPLATES: dict[tuple[str, str], tuple[str, str]] = {
    (REJECTION, "ru"): (
        "Ваш отклик на вакансию «{{ vacancy }}»",
        """Здравствуйте, {{ first_name }}!

Спасибо за интерес к вакансии «{{ vacancy }}» и за время, которое вы потратили на ответы.
К сожалению, сейчас мы не готовы продолжить с вами.{% if reason %}

{{ reason }}{% endif %}

Желаем успехов и будем рады вашим откликам в будущем.
""",
    ),
    (REJECTION, "en"): (
        "Your application for {{ vacancy }}",
        """Hello {{ first_name }},

Thank you for your interest in the {{ vacancy }} position and for the time you spent on
your answers. Unfortunately, we will not be moving forward with your application.{% if reason %}

{{ reason }}{% endif %}

We wish you every success and welcome your applications in the future.
""",
    ),
    (INTERVIEW_INVITATION, "ru"): (
        "Приглашение на собеседование: {{ vacancy }}",
        """Здравствуйте, {{ first_name }}!

Приглашаем вас на собеседование на вакансию «{{ vacancy }}».

Время: {{ interview_time }}
{% if call_link %}Ссылка на звонок: {{ call_link }}
{% endif %}
Приглашение для календаря приложено к письму. Если время не подходит, ответьте на это
письмо, и мы подберём другое.
""",
    ),
    (INTERVIEW_INVITATION, "en"): (
        "Interview invitation: {{ vacancy }}",
        """Hello {{ first_name }},

We would like to invite you to an interview for the {{ vacancy }} position.

Time: {{ interview_time }}
{% if call_link %}Call link: {{ call_link }}
{% endif %}
A calendar invitation is attached. If the time does not suit you, reply to this e-mail
and we will find another.
""",
    ),
    (QUESTIONNAIRE_INVITATION, "ru"): (
        "Вопросы по вакансии «{{ vacancy }}»",
        """Здравствуйте, {{ first_name }}!

Спасибо за отклик на вакансию «{{ vacancy }}». Следующий шаг — ответить на вопросы
по ссылке:

{{ apply_link }}

Ответы можно прислать файлом в формате Markdown прямо на этой странице.
""",
    ),
    (QUESTIONNAIRE_INVITATION, "en"): (
        "Questions for the {{ vacancy }} position",
        """Hello {{ first_name }},

Thank you for applying for the {{ vacancy }} position. The next step is to answer the
questions at this link:

{{ apply_link }}

You can hand in your answers as a Markdown file on that page.
""",
    ),
    (RECEIPT, "ru"): (
        "Мы получили ваши ответы: {{ vacancy }}",
        """Здравствуйте, {{ first_name }}!

Мы получили ваши ответы на вопросы по вакансии «{{ vacancy }}». Мы прочитаем их
и напишем вам о следующих шагах.
""",
    ),
    (RECEIPT, "en"): (
        "We have received your answers: {{ vacancy }}",
        """Hello {{ first_name }},

We have received your answers for the {{ vacancy }} position. We will read them and
write to you about the next steps.
""",
    ),
}
