"""A refusal the user can act on, raised by the domain services and shown by every channel."""


class Refused(Exception):
    """A stable code, an HTTP status for the API, and a Swedish and English explanation."""

    def __init__(self, status: int, code: str, text: str, text_en: str) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.text = text
        self.text_en = text_en
