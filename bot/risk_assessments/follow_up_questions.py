"""HR's supporting questions for the yearly follow-up of remote work (stödfrågor), on the work
environment (arbetsmiljö) and information security (informationssäkerhet), as the audit response
asks: "en rubrik för samtal kring distansarbete ... tillsammans med stödfrågor som rör dels
arbetsmiljö, dels informationssäkerhet".

They are HR's content, in ``faq/_follow_up_questions.md`` beside the risk-assessment checklist:
each level-two heading is an area and each list item under it a question, asked one at a time
in that order. A file that is missing or breaks the shape falls back to a short built-in list
(logged), so the follow-up can always be held.
"""

import logging
import re
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

QUESTIONS_FILE = "_follow_up_questions.md"
# The areas the audit response names; HR may add others.
REQUIRED_AREAS = ("arbetsmiljö", "informationssäkerhet")
MAX_QUESTIONS = 30
MAX_QUESTION_LENGTH = 300

_HEADING = re.compile(r"^##\s+(.+?)\s*#*\s*$")
_TOP_HEADING = re.compile(r"^#(?!#)")
_BULLET = re.compile(r"^[-*+]\s+(.*)$")
_CONTINUATION = re.compile(r"^\s{2,}\S")


@dataclass(frozen=True)
class FollowUpQuestion:
    area: str
    question: str

    def as_slot(self) -> dict[str, str]:
        return {"area": self.area, "question": self.question}


FALLBACK_QUESTIONS = (
    FollowUpQuestion("Arbetsmiljö", "Hur fungerar arbetsmiljön på distansarbetsplatsen?"),
    FollowUpQuestion(
        "Arbetsmiljö", "Hur fungerar kontakten med arbetsgruppen, tillgängligheten och pauserna?"
    ),
    FollowUpQuestion(
        "Informationssäkerhet",
        "Följs regionens regler för IT-användare och informationssäkerhet på distansarbetsplatsen?",
    ),
)


def parse_questions(markdown: str) -> tuple[list[FollowUpQuestion], list[str]]:
    """The questions in the file's order, and what is wrong with the file (Swedish, for HR)."""
    questions: list[FollowUpQuestion] = []
    problems: list[str] = []
    areas: list[str] = []
    area: str | None = None
    for number, raw in enumerate(markdown.splitlines(), start=1):
        line = raw.rstrip()
        if heading := _HEADING.match(line):
            area = heading.group(1).strip()
            areas.append(area)
        elif _TOP_HEADING.match(line):
            area = None
        elif bullet := _BULLET.match(line):
            text = bullet.group(1).strip()
            if area is None:
                problems.append(f"rad {number}: frågan står inte under någon rubrik (##)")
            elif text:
                questions.append(FollowUpQuestion(area, text))
        elif _CONTINUATION.match(line) and questions and area is not None:
            last = questions[-1]
            questions[-1] = FollowUpQuestion(last.area, f"{last.question} {line.strip()}")
    for wanted in REQUIRED_AREAS:
        if not any(wanted in a.lower() for a in areas):
            problems.append(f"rubriken för {wanted} saknas")
    for name in areas:
        if not any(q.area == name for q in questions):
            problems.append(f"rubriken {name} har inga frågor")
    problems.extend(
        f"frågan är längre än {MAX_QUESTION_LENGTH} tecken: {q.question[:40]}…"
        for q in questions
        if len(q.question) > MAX_QUESTION_LENGTH
    )
    if len(questions) > MAX_QUESTIONS:
        problems.append(f"högst {MAX_QUESTIONS} frågor, filen har {len(questions)}")
    return questions, problems


def load_questions(faq_dir: Path) -> list[FollowUpQuestion]:
    """HR's questions, read at every call (HR's edits apply to the next follow-up); the built-in
    ones when the file is missing or has problems."""
    path = faq_dir / QUESTIONS_FILE
    try:
        markdown = path.read_text(encoding="utf-8")
    except (FileNotFoundError, UnicodeDecodeError) as error:
        log.error("Follow-up questions unreadable (%s): built-in questions used", error)
        return list(FALLBACK_QUESTIONS)
    questions, problems = parse_questions(markdown)
    if problems:
        log.error("%s: %s; built-in questions used", path.name, "; ".join(problems))
        return list(FALLBACK_QUESTIONS)
    return questions
