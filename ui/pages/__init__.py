"""One module per dashboard page; each exposes ``async def build(page: PageContext)``."""
