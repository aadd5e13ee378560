# tests for the guest area
