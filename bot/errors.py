"""A refusal the user can act on, raised by the domain services and shown by every channel."""


class Refused(Exception):
    """A stable code, an HTTP status for the API, and a Swedish and English explanation."""

    def __init__(self, status: int, code: str, text: str, text_en: str) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.text = text
        self.text_en = text_en


class ApiError(Exception):
    """A refusal that answers one HTTP request, with headers of its own when the protocol asks
    for them (WWW-Authenticate on a 401, Retry-After on a 429). Raised by the API's routers and
    by the parts that check a request before any service sees it (sign-in, the Teams channel)."""

    def __init__(
        self,
        status_code: int,
        code: str,
        detail: str,
        detail_en: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(code)
        self.status_code = status_code
        self.code = code
        self.detail = detail
        self.detail_en = detail_en
        self.headers = headers or {}
