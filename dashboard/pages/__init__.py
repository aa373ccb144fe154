"""Dashboard pages: each module has ``layout(lang)`` and ``register(app)``."""
