"""The ledger of decisions and open items (督办台账): rows, deadlines, the status people keep."""
