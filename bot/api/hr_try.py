"""HR's "Prova en fråga": the reply a question would get in chat, and why.

The same decision the chat makes (``FaqAnswerer``), with Rasa's reading of the question when Rasa
answers and the index alone when it does not, as the chat's limited mode. Nothing is recorded.
HR only, like the rest of ``/api/hr``.
"""

from typing import Literal

import anyio
from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from bot.api.deps import limit_writes
from bot.api.errors import ApiError, error_responses
from bot.api.hr import _loaded_answerer, require_hr
from bot.api.inputs import RequestBody
from bot.faq.answering import Evidence, Reply
from bot.faq.nlu import OUT_OF_SCOPE_INTENT, intent_confidence, topic_confidence
from bot.privacy import mask_personal_data
from bot.rasa_client import RasaUnavailable

router = APIRouter(
    prefix="/api/hr",
    tags=["hr"],
    dependencies=[Depends(require_hr), Depends(limit_writes)],
    responses=error_responses(401, 403, 422, 503),
)


class TryQuestion(RequestBody):
    question: str = Field(min_length=1, max_length=2000)


class Thresholds(BaseModel):
    answer: float
    clarify: float
    margin: float
    sibling_margin: float
    in_scope: float


class RankedEntry(BaseModel):
    faq_id: str
    question: str
    score: float
    embedding: float
    lexical: float


class TriedQuestion(BaseModel):
    """The reply the user would get in chat, and the evidence the decision weighed."""

    kind: Literal["answer", "clarify", "unknown", "out_of_scope", "withheld"]
    faq_id: str | None
    text: str
    # The "Menade du …?" choices, when it asks back.
    buttons: list[str]
    # Whether Rasa answered; when not, the chat is in limited mode and so is this reply.
    rasa_reachable: bool
    rasa_intent: str | None
    rasa_confidence: float | None
    rasa_out_of_scope: float
    # The scope gate's probability that the question is about remote work.
    in_scope: float
    # The question as searched: without its greeting and introduction.
    searched: str
    siblings: bool
    # When the best entry has siblings: the topic the question's cues point to (who wants the
    # remote work, where the IT support happens), which then decides between them; None
    # without one.
    stance_topic: str | None
    # The stance came from the labelled examples (data/stance.yml): the cues said nothing.
    stance_learned: bool
    # The question names remote work: the scope gate does not refuse it.
    names_remote_work: bool
    # Set at the office or ward with no word of home: only workplace entries may answer.
    at_the_workplace: bool
    thresholds: Thresholds
    hits: list[RankedEntry]


@router.post("/try", responses=error_responses(400, 413, 429))
async def try_question(body: TryQuestion, request: Request) -> TriedQuestion:
    """What the assistant would reply in chat, and why: the same decision with Rasa's reading
    of the question, the scope gate and the ranked entries. Nothing is recorded."""
    answerer = _loaded_answerer(request)
    question = mask_personal_data(body.question.strip()).text
    if not question:
        raise ApiError(422, "question_empty", "Frågan är tom.", "The question is empty.")
    try:
        ranking = await request.app.state.rasa.intent_ranking(question)
    except RasaUnavailable:
        # The chat then answers in limited mode, on the index alone: so does this.
        ranking = None
    topics = topic_confidence(ranking or [])
    out_of_scope = intent_confidence(ranking or [], OUT_OF_SCOPE_INTENT)

    def decide_in_thread() -> tuple[Evidence, Reply]:
        evidence = answerer.weigh(question, topics, out_of_scope)
        return evidence, answerer.reply_for(question, evidence)

    evidence, reply = await anyio.to_thread.run_sync(decide_in_thread)
    top_intent = ranking[0] if ranking else None
    t = answerer.thresholds
    return TriedQuestion(
        kind=reply.kind,
        faq_id=reply.entry.id if reply.entry else None,
        text=reply.text,
        buttons=[b.title for b in reply.buttons],
        rasa_reachable=ranking is not None,
        rasa_intent=str(top_intent["name"]) if top_intent else None,
        rasa_confidence=round(float(top_intent.get("confidence") or 0), 4) if top_intent else None,
        rasa_out_of_scope=round(out_of_scope, 4),
        in_scope=round(evidence.in_scope, 4),
        searched=evidence.searched,
        siblings=evidence.siblings,
        stance_topic=evidence.stance_topic,
        stance_learned=evidence.stance_learned,
        names_remote_work=evidence.names_remote_work,
        at_the_workplace=evidence.at_the_workplace,
        thresholds=Thresholds(
            answer=t.answer,
            clarify=t.clarify,
            margin=t.margin,
            sibling_margin=t.sibling_margin,
            in_scope=t.in_scope,
        ),
        hits=[
            RankedEntry(
                faq_id=hit.entry.id,
                question=hit.entry.question,
                score=round(hit.score, 4),
                embedding=round(hit.embedding, 4),
                lexical=round(hit.lexical, 4),
            )
            for hit in evidence.hits
        ],
    )
