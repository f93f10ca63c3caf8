class SoalError(Exception):
    """An error whose message (in Indonesian) is safe to show the user."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or []

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        return self.message + " " + "; ".join(self.problems)
