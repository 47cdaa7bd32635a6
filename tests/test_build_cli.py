"""`ft-breakeven build` never loses a workbook: no silent overwrite, no half-written file."""

from xl_addin import build_cli
from xl_addin.cli import main


def test_an_existing_workbook_is_kept_unless_forced(tmp_path, capsys):
    target = tmp_path / "book.xlsx"
    assert main(["build", "-o", str(target)]) == 0
    target.write_bytes(b"the user's edits")
    assert main(["build", "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert "book.xlsx already exists" in err and "--force" in err
    assert target.read_bytes() == b"the user's edits"
    assert main(["build", "-o", str(target), "--force"]) == 0
    assert target.read_bytes()[:2] == b"PK"  # a fresh workbook (zip)


def test_a_failure_half_way_leaves_the_old_file_whole(tmp_path, monkeypatch, capsys):
    target = tmp_path / "book.xlsx"
    target.write_bytes(b"previous workbook")

    def breaks_after_writing(catalog, scenarios, path, **kw):
        path.write_bytes(b"half a workbook")
        raise OSError("disk full")

    monkeypatch.setattr(build_cli, "build_template", breaks_after_writing)
    assert main(["build", "-o", str(target), "--force"]) == 1
    assert "could not write" in capsys.readouterr().err  # one sentence, no traceback
    assert target.read_bytes() == b"previous workbook"
    assert [p.name for p in tmp_path.iterdir()] == ["book.xlsx"]  # no temporary left behind


def test_classic_sibling_module_is_protected_too(tmp_path, capsys):
    book = tmp_path / "my_model.xlsm"
    (tmp_path / "my_model.py").write_text("# the user's own code\n")
    assert main(["build", "--runtime", "classic", "-o", str(book)]) == 2
    assert "my_model.py already exists" in capsys.readouterr().err
    assert not book.exists()


def test_the_output_must_be_the_kind_of_file_it_will_hold(tmp_path, capsys):
    assert main(["build", "--static", "-o", str(tmp_path / "copy.txt")]) == 2
    err = capsys.readouterr().err
    assert "--output" in err and ".xlsx" in err and "copy.txt" in err
    assert not (tmp_path / "copy.txt").exists()
