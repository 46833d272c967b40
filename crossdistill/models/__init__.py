from .connectors import ConvConnector, LinearConnector, ResizeConnector

__all__ = ['ConvConnector', 'LinearConnector', 'ResizeConnector']
