"""What the engines share above their data: match plans evaluated with NumPy arrays, and the Found.

Each engine numbers its documents 0 … n-1 and gives the evaluator its postings
(evaluate.PostingsSource); the evaluator and ArrayFound (found.py) do the rest
the same way for every engine, so that engines answer with the same numbers.
"""
