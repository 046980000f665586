"""Services: the rules of Muster, in plain Python. They take plain values (never a
Telegram ``Update``) and return typed results."""
