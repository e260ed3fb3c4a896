"""The grid of "My handwriting" stays where the user is: relabelling or deleting a sample far
down a long list does not throw the view back to the top."""

from __future__ import annotations

from digitlab.app.handwriting.samples import PersonalSamples
from digitlab.app.handwriting.tab import HandwritingTab

SEVEN = [(78.0, 62.0), (202.0, 62.0), (162.0, 134.0), (123.0, 230.0)]
CANVAS = (280.0, 280.0)


def test_relabelling_and_deleting_far_down_keep_the_grid_scrolled_there(qtbot, tmp_path):
    samples = PersonalSamples(tmp_path / "mine.jsonl")
    for k in range(120):
        samples.add(k % 10, [[(x + k / 2, y + k % 3) for x, y in SEVEN]], CANVAS)
    tab = HandwritingTab(samples)
    qtbot.addWidget(tab)
    tab.resize(700, 400)
    tab.show()
    qtbot.waitExposed(tab)
    bar = tab.grid.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    bar.setValue(bar.maximum())
    bottom = bar.value()

    last = len(samples) - 1
    tab.select([last])
    tab.relabel_selected(3)
    assert samples.samples[last].label == 3 and tab.grid.item(last).text().startswith("3")
    assert tab.selected_indices() == [last]
    assert bar.value() == bottom

    tab.select([last - 1])
    assert tab.delete_selected() == 1
    assert tab.grid.count() == len(samples) == 119
    assert bar.value() >= bottom - tab.grid.gridSize().height()  # one row may go
