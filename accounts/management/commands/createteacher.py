from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from accounts.services import teacher_create_or_update


class Command(BaseCommand):
    help = "Create a teacher account, or update its password if it exists."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--staff", action="store_true", help="make the account staff (admin)")

    def handle(self, *args: Any, **options: Any) -> None:
        user, created = teacher_create_or_update(
            username=options["username"], password=options["password"], staff=options["staff"]
        )
        self.stdout.write(f"{'Created' if created else 'Updated'} teacher {user.get_username()}")
