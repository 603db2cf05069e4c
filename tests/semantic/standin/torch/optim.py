"""``torch.optim`` of the stand-in: optimisers that only remember their parameters."""


class Optimizer:
    def __init__(self, params, lr=1e-3, **defaults):
        self.param_groups = [{"params": list(params), "lr": lr, **defaults}]

    def zero_grad(self):
        pass

    def step(self):
        pass


class Adam(Optimizer):
    pass


class SGD(Optimizer):
    pass
