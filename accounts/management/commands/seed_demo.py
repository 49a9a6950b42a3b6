from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from accounts.services import demo_seed


class Command(BaseCommand):
    help = "Create the demo teacher demo/demo with a class and its roster (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        school_class = demo_seed()
        self.stdout.write(
            f"Demo teacher 'demo' (password 'demo') with class {school_class.name} "
            f"({school_class.students.count()} students)"
        )
