class LembagaError(Exception):
    """An error whose message (in Indonesian) is safe to show the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
