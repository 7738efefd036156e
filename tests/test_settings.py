"""Where the database is, decided without the database layer."""

from pipeline import settings


def test_settings_database_url_prefers_the_flag_then_the_environment(monkeypatch):
    monkeypatch.setenv("TENSION_DB_URL", "postgresql://db/from-env")
    assert settings.database_url("sqlite:///flag.db") == "sqlite:///flag.db"
    assert settings.database_url() == "postgresql://db/from-env"
    monkeypatch.delenv("TENSION_DB_URL")
    assert settings.database_url() == settings.DEFAULT_URL
    assert settings.DEFAULT_URL.endswith("/data/tension.db")


def test_settings_a_sqlite_file_is_new_until_it_exists(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    absolute, relative = f"sqlite:///{tmp_path / 'a.db'}", "sqlite:///b.db?timeout=5"
    assert settings.is_new_sqlite_file(absolute) and settings.is_new_sqlite_file(relative)
    (tmp_path / "a.db").write_bytes(b"")
    (tmp_path / "b.db").write_bytes(b"")
    assert not settings.is_new_sqlite_file(absolute) and not settings.is_new_sqlite_file(relative)
    assert settings.is_new_sqlite_file("sqlite:///:memory:")
    assert not settings.is_new_sqlite_file("postgresql://user@host/tension")
