"""General PyTorch model adaptor (demo of ``qlib.contrib.model.pytorch_general_nn``).

It trains any network on time-series batches (3-D, from a TSDataSampler) or
tabular ones (2-D, a frame's ``.values``), both float64, with float64 sample
weights made by ``np.ones``.
"""

import copy
import importlib

import numpy as np
import torch
from torch import nn, optim
from torch.optim.lr_scheduler import ReduceLROnPlateau
from torch.utils.data import DataLoader

from ...log import get_module_logger
from ...model.base import Model
from ..data.synthetic_demo import DemoTSDatasetH
from ..data.ts_sampler_demo import ConcatDataset


def init_instance_by_config(config):
    module_name, _, class_name = config["class"].rpartition(".")
    return getattr(importlib.import_module(module_name), class_name)(**config.get("kwargs", {}))


class GeneralPTNN(Model):
    """
    Parameters
    ----------
    pt_model_uri : str
        the network class, as "package.module.Class"
    GPU : int
        the GPU ID used for training
    """

    def __init__(self, n_epochs=200, lr=0.001, metric="", batch_size=2000, early_stop=20, loss="mse",
                 weight_decay=0.0, optimizer="adam", n_jobs=0, GPU=0, seed=None,
                 pt_model_uri="qlib.contrib.model.pytorch_general_nn_demo.TSNet", pt_model_kwargs=None):
        super().__init__()
        if pt_model_kwargs is None:
            pt_model_kwargs = {"d_feat": 6, "hidden_size": 64}
        self.logger = get_module_logger("GeneralPTNN")
        self.logger.info("GeneralPTNN pytorch version...")

        self.n_epochs = n_epochs
        self.lr = lr
        self.metric = metric
        self.batch_size = batch_size
        self.early_stop = early_stop
        self.optimizer = optimizer.lower()
        self.loss = loss
        self.weight_decay = weight_decay
        self.device = torch.device("cuda:%d" % (GPU) if torch.cuda.is_available() and GPU >= 0 else "cpu")
        self.n_jobs = n_jobs
        self.seed = seed

        if self.seed is not None:
            np.random.seed(self.seed)
            torch.manual_seed(self.seed)

        self.dnn_model = init_instance_by_config({"class": pt_model_uri, "kwargs": pt_model_kwargs})
        self.logger.info(f"GeneralPTNN device : {self.device}, use_GPU : {self.use_gpu}")

        if optimizer.lower() == "adam":
            self.train_optimizer = optim.Adam(self.dnn_model.parameters(), lr=self.lr, weight_decay=weight_decay)
        elif optimizer.lower() == "gd":
            self.train_optimizer = optim.SGD(self.dnn_model.parameters(), lr=self.lr, weight_decay=weight_decay)
        else:
            raise NotImplementedError(f"optimizer {optimizer} is not supported!")

        self.lr_scheduler = ReduceLROnPlateau(self.train_optimizer, mode="min", factor=0.5, patience=5,
                                              min_lr=1e-6, threshold=1e-5)
        self.fitted = False
        self.dnn_model.to(self.device)

    @property
    def use_gpu(self):
        return self.device != torch.device("cpu")

    def mse(self, pred, label, weight):
        loss = weight * (pred - label) ** 2
        return torch.mean(loss)

    def loss_fn(self, pred, label, weight=None):
        mask = ~torch.isnan(label)

        if weight is None:
            weight = torch.ones_like(label)

        if self.loss == "mse":
            return self.mse(pred[mask], label[mask].view(-1, 1), weight[mask].view(-1, 1))

        raise ValueError(f"unknown loss `{self.loss}`")

    def metric_fn(self, pred, label):
        mask = torch.isfinite(label)

        if self.metric in ("", "loss"):
            return self.loss_fn(pred[mask], label[mask])

        raise ValueError(f"unknown metric `{self.metric}`")

    def _get_fl(self, data: torch.Tensor):
        """Feature and label of a 3-D (time-series) or 2-D (tabular) batch."""
        device = self.device
        if data.dim() == 3:
            # it is a time series dataset
            feature = data[:, :, 0:-1].to(device)
            label = data[:, -1, -1].to(
                device
            )
        elif data.dim() == 2:
            # it is a tabular dataset
            feature = data[:, 0:-1].to(device)
            label = data[:, -1].to(device)
        else:
            raise ValueError("Unsupported data shape.")
        return feature, label

    def train_epoch(self, data_loader):
        self.dnn_model.train()

        for data, weight in data_loader:
            feature, label = self._get_fl(data)

            pred = self.dnn_model(feature.float())
            loss = self.loss_fn(pred, label, weight.to(self.device))

            self.train_optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_value_(self.dnn_model.parameters(), 3.0)
            self.train_optimizer.step()

    def test_epoch(self, data_loader):
        self.dnn_model.eval()

        scores = []
        losses = []

        for data, weight in data_loader:
            feature, label = self._get_fl(data)

            with torch.no_grad():
                pred = self.dnn_model(feature.float())
                loss = self.loss_fn(pred, label, weight.to(device=self.device))
                losses.append(loss.item())

                score = self.metric_fn(pred, label)
                scores.append(score.item())

        return np.mean(losses), np.mean(scores)

    def fit(self, dataset, evals_result=None, save_path=None, reweighter=None):
        if evals_result is None:
            evals_result = {}
        ists = isinstance(dataset, DemoTSDatasetH)  # is this time series dataset

        dl_train = dataset.prepare("train", col_set=["feature", "label"])
        dl_valid = dataset.prepare("valid", col_set=["feature", "label"])
        if dl_train.empty or dl_valid.empty:
            raise ValueError("Empty data from dataset, please check your dataset config.")

        if reweighter is None:
            wl_train = np.ones(len(dl_train))
            wl_valid = np.ones(len(dl_valid))
        else:
            raise ValueError("Unsupported reweighter type.")

        if ists:
            dl_train.config(fillna_type="ffill+bfill")  # process nan brought by dataloader
            dl_valid.config(fillna_type="ffill+bfill")  # process nan brought by dataloader
        else:
            # a tabular frame becomes a numpy array that DataLoader can index
            dl_train = dl_train.values
            dl_valid = dl_valid.values

        train_loader = DataLoader(ConcatDataset(dl_train, wl_train), batch_size=self.batch_size, shuffle=True,
                                  num_workers=self.n_jobs, drop_last=True)
        valid_loader = DataLoader(ConcatDataset(dl_valid, wl_valid), batch_size=self.batch_size, shuffle=False,
                                  num_workers=self.n_jobs, drop_last=True)

        stop_steps = 0
        best_score = np.inf
        best_epoch = 0
        evals_result["train"] = []
        evals_result["valid"] = []

        self.fitted = True

        for step in range(self.n_epochs):
            self.logger.info("Epoch%d:", step)
            self.train_epoch(train_loader)
            _train_loss, train_score = self.test_epoch(train_loader)
            _val_loss, val_score = self.test_epoch(valid_loader)
            evals_result["train"].append(train_score)
            evals_result["valid"].append(val_score)

            self.lr_scheduler.step(val_score)

            if step == 0:
                best_param = copy.deepcopy(self.dnn_model.state_dict())
            if val_score < best_score:
                best_score = val_score
                stop_steps = 0
                best_epoch = step
                best_param = copy.deepcopy(self.dnn_model.state_dict())
            else:
                stop_steps += 1
                if stop_steps >= self.early_stop:
                    self.logger.info("early stop")
                    break

        self.logger.info(f"best score: {best_score:.6f} @ {best_epoch} epoch")
        self.dnn_model.load_state_dict(best_param)

        if self.use_gpu:
            torch.cuda.empty_cache()

    def predict(self, dataset, batch_size=None, n_jobs=None):
        if not self.fitted:
            raise ValueError("model is not fitted yet!")

        dl_test = dataset.prepare("test", col_set=["feature", "label"])
        if isinstance(dataset, DemoTSDatasetH):
            dl_test.config(fillna_type="ffill+bfill")  # process nan brought by dataloader
        else:
            dl_test = dl_test.values

        test_loader = DataLoader(dl_test, batch_size=self.batch_size, num_workers=self.n_jobs)
        self.dnn_model.eval()
        preds = []

        for data in test_loader:
            feature, _ = self._get_fl(data)
            feature = feature.to(self.device)

            with torch.no_grad():
                pred = self.dnn_model(feature.float()).detach().cpu().numpy()

            preds.append(pred)

        preds_concat = np.concatenate(preds)
        if preds_concat.ndim != 1:
            preds_concat = preds_concat.ravel()
        return preds_concat


class TSNet(nn.Module):
    """GRU over [N, T, F] windows."""

    def __init__(self, d_feat=6, hidden_size=64, num_layers=1):
        super().__init__()
        self.rnn = nn.GRU(input_size=d_feat, hidden_size=hidden_size, num_layers=num_layers, batch_first=True)
        self.fc_out = nn.Linear(hidden_size, 1)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.fc_out(out[:, -1, :])


class TabularNet(nn.Module):
    """MLP over [N, F] rows."""

    def __init__(self, d_feat=6, hidden_size=64):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(d_feat, hidden_size), nn.LeakyReLU(), nn.Dropout(0.1),
                                 nn.Linear(hidden_size, 1))

    def forward(self, x):
        return self.net(x)
