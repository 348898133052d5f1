"""One process's long-lived pieces: settings, database, catalogue and searcher, each built once."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property

from slack_sdk import WebClient

from bot.roles import SecurityTeam
from bot.slack_client import make_client
from core.config import Settings
from core.db import Database
from core.migrate import upgrade
from core.requirements import partners
from knowledge.catalogue import Catalogue, load_catalogue
from knowledge.embedder import Embedder, get_embedder
from knowledge.search import Searcher

log = logging.getLogger(__name__)


class Runtime:
    """Lazily builds the expensive parts (model, index) once and shares them."""

    def __init__(self, settings: Settings, *, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.db = Database(settings.database_url)
        self._embedder = embedder
        self._lock = threading.Lock()
        self._searcher: Searcher | None = None

    @cached_property
    def equivalents(self) -> dict[str, list[str]]:
        """Strong crosswalk partners per catalogue ID (one submission can serve both frameworks)."""
        return partners(self.catalogue)

    @cached_property
    def slack(self) -> WebClient | None:
        """The Web API client, or None when no bot token is configured (console only)."""
        return make_client(self.settings) if self.settings.slack_bot_token else None

    @cached_property
    def file_pool(self) -> ThreadPoolExecutor:
        """Where file downloads run: beside, never in, the listener workers that answer questions."""
        return ThreadPoolExecutor(
            max_workers=self.settings.evidence_download_workers, thread_name_prefix="files"
        )

    @cached_property
    def team(self) -> SecurityTeam:
        """The security team (user IDs and user groups from SECURITY_TEAM)."""
        return SecurityTeam(self.settings.security_team, self.slack)

    def migrate(self) -> None:
        """Apply pending migrations (idempotent)."""
        upgrade(self.settings.database_url)

    @cached_property
    def catalogue(self) -> Catalogue:
        """The bundled catalogue plus KNOWLEDGE_DIR content."""
        cat = load_catalogue(self.settings.knowledge_dir)
        for problem in cat.skipped:
            log.warning("organisation content skipped: %s", problem)
        return cat

    def searcher(
        self, *, rebuild: bool = False, progress: Callable[[int, int], None] | None = None
    ) -> Searcher:
        """The searcher, loading the model and index on first use."""
        with self._lock:
            if self._searcher is None or rebuild:
                embedder = self._embedder or get_embedder(
                    self.settings.embedding_model, sha256=self.settings.embedding_model_sha256
                )
                self._searcher = Searcher(
                    self.catalogue,
                    embedder,
                    self.settings.index_dir,
                    force_rebuild=rebuild,
                    progress=progress,
                    soc2_categories=self.settings.soc2_categories,
                )
            return self._searcher

    @property
    def search_ready(self) -> bool:
        """True once the index is loaded."""
        return self._searcher is not None
