"""A realistic mix for `make loadtest`: the public directory, registration
pages, API lists, the board map, and a bare Django view as the baseline.

Only ever pointed at 127.0.0.1 (tests/load/run_loadtest.py starts the server).
"""

from __future__ import annotations

import os
import random
import re

from locust import HttpUser, between, task

THEMES = ["food", "loneliness-and-isolation", "physical-activity", "mental-health"]
WORDS = ["lunch", "walk", "garden", "club", "support"]
# The logins `manage.py seed_demo` creates.
BOARD_USER = os.environ.get("LOADTEST_BOARD_USER", "board")
TEAM_USER = os.environ.get("LOADTEST_TEAM_USER", "nhs-team")
PASSWORD = os.environ.get("LOADTEST_PASSWORD", "backer-demo-2026")


def sign_in(user: HttpUser, username: str) -> None:
    page = user.client.get("/accounts/login/", name="login page")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    user.client.post(
        "/accounts/login/",
        {
            "username": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": token.group(1) if token else "",
        },
        headers={"Referer": f"{user.host}/accounts/login/"},
        name="login",
    )


class Public(HttpUser):
    weight = 6
    wait_time = between(0.5, 2)

    @task(4)
    def directory_search(self) -> None:
        self.client.get(f"/directory/?q={random.choice(WORDS)}", name="/directory/?q=")

    @task(2)
    def directory_theme(self) -> None:
        self.client.get(f"/directory/?theme={random.choice(THEMES)}", name="/directory/?theme=")

    @task(2)
    def registration_start(self) -> None:
        self.client.get("/register/", name="/register/")

    @task(4)
    def api_groups(self) -> None:
        self.client.get(f"/api/groups/?page={random.randint(1, 3)}", name="/api/groups/")

    @task(2)
    def api_themes(self) -> None:
        self.client.get("/api/themes/", name="/api/themes/")

    @task(3)
    def bare_view(self) -> None:
        self.client.get("/healthz", name="/healthz (bare)")


class Board(HttpUser):
    weight = 2
    wait_time = between(1, 3)

    def on_start(self) -> None:
        sign_in(self, BOARD_USER)

    @task(3)
    def board_map_page(self) -> None:
        self.client.get("/board/map/", name="/board/map/")

    @task(3)
    def board_map_frame(self) -> None:
        self.client.get("/board/map/frame/", name="/board/map/frame/")

    @task(1)
    def dashboard(self) -> None:
        self.client.get("/board/", name="/board/")


class Team(HttpUser):
    weight = 2
    wait_time = between(1, 3)

    def on_start(self) -> None:
        sign_in(self, TEAM_USER)

    @task(3)
    def api_groups(self) -> None:
        self.client.get("/api/groups/?status=verified", name="/api/groups/ (team)")

    @task(2)
    def queue(self) -> None:
        self.client.get("/team/groups/queue/", name="/team/groups/queue/")
