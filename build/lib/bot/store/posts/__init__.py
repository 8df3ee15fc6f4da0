"""The store's half of the daily post: each server's posting settings and when its next post is due
(`settings`), and the record of each server's day, claimed, closed and pruned (`records`)."""
