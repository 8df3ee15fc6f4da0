"""The gettext catalogs (PO files), one per shipped language: see bot/i18n/messages.py."""
