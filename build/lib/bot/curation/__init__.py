"""A server's own events: adding, editing, hiding, translating and restoring them with an audit log;
the add/edit form's fields; import planning and the file formats (CSV, JSON, ICS) for import and
export. Imports bot.almanac and below."""
