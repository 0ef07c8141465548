"""``GET /health``: 200 only when both Rasa and the FAQ index are ready."""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter(tags=["health"])


@router.get("/health")
async def health(request: Request) -> JSONResponse:
    state = request.app.state
    faq_ready = getattr(state, "faq", None) is not None
    rasa_ready = await state.rasa.is_ready()
    body = {
        "status": "ok" if faq_ready and rasa_ready else "unavailable",
        "rasa": "ready" if rasa_ready else "unavailable",
        "faq_index": "ready" if faq_ready else "loading",
        "faq_entries": len(state.faq.answerer.index.entries) if faq_ready else 0,
        "faq_problems": len(state.faq.problems) if faq_ready else 0,
    }
    return JSONResponse(body, status_code=200 if body["status"] == "ok" else 503)
