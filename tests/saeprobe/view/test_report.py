import json
import re

from saeprobe.view import STATIC, report_html


def test_report_is_one_self_contained_file(tiny_result, tmp_path):
    path = tiny_result.to_html(tmp_path / "sweep.html", selected_layer=2)
    page = path.read_text()
    assert not re.search(r"""(src|href)\\s*=\\s*["']?(https?:)?//""", page), "the report must not load anything"
    assert "<script src" not in page and "<link" not in page
    state = json.loads(
        re.search(r'<script type="application/json" id="saeprobe-state">(.*?)</script>', page, re.S).group(1)
    )
    assert state["selected_layer"] == 2
    assert state["result"] == json.loads(tiny_result.to_json())
    assert (STATIC / "report.js").read_text()[:200] in page


def test_script_closing_tags_in_data_cannot_break_out():
    result = {"model": {"name": "m"}, "dataset": {"name": "</script><script>alert(1)</script>"}, "layers": []}
    page = report_html(result)
    block = re.search(r'id="saeprobe-state">(.*?)</script>', page, re.S).group(1)
    assert json.loads(block)["result"]["dataset"]["name"] == "</script><script>alert(1)</script>"


def test_markup_in_labels_cannot_end_or_hide_the_data_block(tiny_result):
    payload = tiny_result.to_dict()
    payload["classes"] = ["<!--<script>", "</script><script>alert(1)</script>"]
    page = report_html(payload)
    block = page.split('id="saeprobe-state">', 1)[1].split("</script>", 1)[0]
    assert "<" not in block  # every "<" of the data is written \\u003c
    assert json.loads(block)["result"]["classes"] == payload["classes"]
    script = page.split("<script>\n", 1)[1]
    assert "<!--" not in script and "<script" not in script.lower()
