"""``torch.nn`` of the stand-in: modules keep their structure and parameters but compute nothing."""

import copy as _copy

import torch as _torch


class Parameter(_torch.Tensor):
    def __init__(self, data=None, requires_grad=True):
        base = data if isinstance(data, _torch.Tensor) else _torch.Tensor([] if data is None else data)
        super().__init__(base._data, base.device)


class Module:
    def __init__(self, *args, **kwargs):
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "training", True)

    def __setattr__(self, name, value):
        if "_modules" not in self.__dict__:
            raise AttributeError("cannot assign attributes before Module.__init__() call")
        if isinstance(value, Module):
            self._modules[name] = value
        elif isinstance(value, Parameter):
            self._parameters[name] = value
        object.__setattr__(self, name, value)

    def register_buffer(self, name, tensor, persistent=True):
        self._buffers[name] = tensor
        object.__setattr__(self, name, tensor)

    def forward(self, *args, **kwargs):
        raise NotImplementedError("stand-in module %s computes nothing" % type(self).__name__)

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    def children(self):
        return iter(self._modules.values())

    def parameters(self):
        for p in self._parameters.values():
            yield p
        for m in self._modules.values():
            yield from m.parameters()

    def named_state(self, prefix=""):
        out = {prefix + k: v for k, v in self._parameters.items()}
        out.update({prefix + k: v for k, v in self._buffers.items()})
        for name, m in self._modules.items():
            out.update(m.named_state(prefix + name + "."))
        return out

    def state_dict(self):
        return {k: _copy.copy(v) for k, v in self.named_state().items()}

    def load_state_dict(self, state_dict, strict=True):
        missing = set(self.named_state()) - set(state_dict)
        if strict and missing:
            raise RuntimeError("Missing key(s) in state_dict: %s" % sorted(missing))
        return None

    def to(self, *args, **kwargs):
        return self

    def train(self, mode=True):
        object.__setattr__(self, "training", mode)
        for m in self._modules.values():
            m.train(mode)
        return self

    def eval(self):
        return self.train(False)


class Linear(Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(_torch.zeros(out_features, in_features))
        if bias:
            self.bias = Parameter(_torch.zeros(out_features))


class _RNNBase(Module):
    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0, **kwargs):
        super().__init__()
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.batch_first, self.dropout = batch_first, dropout
        self.weight_ih_l0 = Parameter(_torch.zeros(hidden_size, input_size))


class LSTM(_RNNBase):
    pass


class GRU(_RNNBase):
    pass


class _Layer(Module):
    def __init__(self, *args, **kwargs):
        super().__init__()
        self.args, self.kwargs = args, kwargs


class ReLU(_Layer):
    pass


class LeakyReLU(_Layer):
    pass


class Dropout(_Layer):
    pass


class Softmax(_Layer):
    pass


class TransformerEncoderLayer(_Layer):
    pass


class TransformerEncoder(_Layer):
    pass


class Sequential(Module):
    def __init__(self, *modules):
        super().__init__()
        for i, m in enumerate(modules):
            setattr(self, str(i), m)

    def __getitem__(self, idx):
        return list(self._modules.values())[idx]

    def __len__(self):
        return len(self._modules)


class ModuleList(Sequential):
    def __init__(self, modules=()):
        super().__init__(*modules)

    def __iter__(self):
        return iter(self._modules.values())
