"""Local replay servers that speak the real protocols of SMHI and SCB.

The tests and the offline demo (`make demo`) use them: the same paths, query
parameters, payload shapes, status codes and headers as the live services, served
from payloads recorded from the real figures in `replay/payloads/`.
"""
