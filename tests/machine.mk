# tests for the machine area
