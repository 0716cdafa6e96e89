"""MyCardsScreen (``Q``): every card assigned to me across the cached boards.

Grouped by board, then by list in the board's order, cards in Trello's order. Painted from the
cache, then each cached board is reloaded from Trello in the background. The card keys are
the board's (open, due, complete, move to the adjacent list, space to unassign myself).
"""

from __future__ import annotations

from trello_tui.sync.state import BoardState
from trello_tui.trello.models import Board, Card
from trello_tui.ui.screens.across import CardsAcross
from trello_tui.ui.widgets.card_rows import Row, heading


class MyCardsScreen(CardsAcross):
    """Cards assigned to the signed-in member, by board and list."""

    heading = "My cards"
    empty = "No card in the cache is assigned to you."
    show_where = False

    async def fetch(self) -> list[Board]:
        return await self.tapp.backend.my_cards()

    def keep(self, state: BoardState, card: Card) -> bool:
        me = self.tapp.me
        members = (state.members.get(member_id) for member_id in card.id_members)
        return me is not None and any(m is not None and m.username == me for m in members)

    def build_rows(self, rows: list[Row]) -> list[Row]:
        by_board: dict[str, list[Row]] = {}
        for row in rows:
            by_board.setdefault(row.board_id, []).append(row)
        out: list[Row] = []
        for board_id, state in self.sources.items():
            mine = by_board.get(board_id)
            if not mine:
                continue
            out.append(heading(f"{state.board.name} ({len(mine)})"))
            out.extend(self._by_list(state, mine))
        return out

    @staticmethod
    def _by_list(state: BoardState, rows: list[Row]) -> list[Row]:
        order = {lst.id: i for i, lst in enumerate(state.open_lists())}
        by_list: dict[str, list[Row]] = {}
        for row in rows:
            assert row.card is not None
            by_list.setdefault(row.card.id_list, []).append(row)
        out: list[Row] = []
        for list_id in sorted(by_list, key=lambda i: order.get(i, len(order))):
            cards = sorted(by_list[list_id], key=_position)
            out.append(heading(f"{state.lists[list_id].name} ({len(cards)})", level=2))
            out.extend(cards)
        return out


def _position(row: Row) -> tuple[float, str]:
    assert row.card is not None
    return (row.card.pos, row.card.id)
