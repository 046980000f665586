"""The live dashboard, a Telegram Mini App for secretaries and coordinators (issue #19):
who may open it (``initdata.py``, Telegram's signed launch data), what its Today view
shows (``service.py``, from the summaries' numbers) and its settings (``config.py``)."""
