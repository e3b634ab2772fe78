"""On PostgreSQL the access log refuses UPDATE, and DELETE except the retention purge of rows past 180 days.

The purge (``manage.py purge_access_log``) sets ``songpan.access_log_purge`` for its transaction only. SQLite
(development) has no such trigger; the application never updates or deletes these rows either way.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION accounts_accesslog_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE'
       AND current_setting('songpan.access_log_purge', true) = 'on'
       AND OLD.at < now() - interval '180 days' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the access log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER accounts_accesslog_append_only
    BEFORE UPDATE OR DELETE ON accounts_accesslog
    FOR EACH ROW EXECUTE FUNCTION accounts_accesslog_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS accounts_accesslog_append_only ON accounts_accesslog;
DROP FUNCTION IF EXISTS accounts_accesslog_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_access_log")]
    operations = [migrations.RunPython(create_trigger, drop_trigger)]
