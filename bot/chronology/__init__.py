"""The bundled chronology's data file (data/chronology.toml): read, checked and prepared for the store a
chunk at a time, by a helper process when it is large. Imports bot.store and below."""
