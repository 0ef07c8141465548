"""``GET /health``: 200 only when both Rasa and the FAQ index are ready."""

from typing import Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: Literal["ok", "unavailable"]
    rasa: Literal["ready", "unavailable"]
    faq_index: Literal["ready", "loading"]
    faq_entries: int
    faq_problems: int


@router.get(
    "/health",
    responses={503: {"model": Health, "description": "Rasa or the FAQ index is not ready."}},
)
async def health(request: Request, response: Response) -> Health:
    state = request.app.state
    faq_ready = getattr(state, "faq", None) is not None
    rasa_ready = await state.rasa.is_ready()
    body = Health(
        status="ok" if faq_ready and rasa_ready else "unavailable",
        rasa="ready" if rasa_ready else "unavailable",
        faq_index="ready" if faq_ready else "loading",
        faq_entries=len(state.faq.answerer.index.entries) if faq_ready else 0,
        faq_problems=len(state.faq.problems) if faq_ready else 0,
    )
    response.status_code = 200 if body.status == "ok" else 503
    return body
