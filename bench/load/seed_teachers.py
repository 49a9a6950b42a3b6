"""Create N load-test teachers with API tokens, fast; print them as JSON lines.

Run by ``run_load.py`` in a child process with the load database's environment. Passwords
are unusable on purpose: hashing 1,000 passwords would take minutes and the benchmark
authenticates with tokens (``Authorization: Token ...``) like an integration does.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huleedu.settings")


def main(count: int) -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from rest_framework.authtoken.models import Token

    user_model = get_user_model()
    unusable = make_password(None)
    users = user_model.objects.bulk_create(
        [user_model(username=f"load-teacher-{i:04d}", password=unusable, is_active=True)
         for i in range(count)]
    )
    tokens = Token.objects.bulk_create([Token(user=user, key=Token.generate_key()) for user in users])
    for user, token in zip(users, tokens, strict=True):
        print(json.dumps({"username": user.username, "token": token.key}))


if __name__ == "__main__":
    main(int(sys.argv[1]))
