"""The live runtime's plain objects (floor 5): order ids, sizing, the order manager, the strategy
runner and reconciliation. Ray actors in ``actors/`` only wire these; they are unit-tested here
without Ray or sockets.
"""
