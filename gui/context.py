"""What every view gets: the task helper, the open node's service and info, the banner."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gui.services import LedgerService, NodeInfo
from gui.tasks import Task, TaskManager
from gui.widgets import MessageBanner


@dataclass
class AppContext:
    tasks: TaskManager
    service: LedgerService
    info: NodeInfo
    banner: MessageBanner

    def call(self, fn: Callable[[LedgerService, Task], Any], **callbacks: Any) -> Task:
        """Run ``fn(service, task)`` on the node thread; callbacks on the GUI thread."""
        service = self.service
        return self.tasks.run(lambda task: fn(service, task), node=True, **callbacks)

    def notify(self, text: str, kind: str = "success") -> None:
        self.banner.show_message(text, kind)
