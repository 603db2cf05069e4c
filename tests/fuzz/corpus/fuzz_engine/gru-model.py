import copy

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim

from ...log import get_module_logger
from ...model.base import Model


class GRU(Model):
	"""GRU Model

	Parameters
	----------
	d_feat : int
		input dimension for each time step
	metric: str
		the evaluation metric used in early stop
	optimizer : str
		optimizer name
	GPU : int
		the GPU ID used for training
	"""

	def __init__(self, d_feat=6, hidden_size=64, num_layers=2, dropout=0.0, n_epochs=200, lr=0.001, metric="",
				 batch_size=2000, early_stop=20, loss="mse", optimizer="adam", GPU=0, seed=None, **kwargs):
		# Set logger.
		self.logger = get_module_logger("GRU")
		self.logger.info("GRU pytorch version...")

		# set hyper-parameters.
		self.d_feat = d_feat
		self.hidden_size = hidden_size
		self.num_layers = num_layers
		self.dropout = dropout
		self.n_epochs = n_epochs
		self.lr = lr
		self.metric = metric
		self.batch_size = batch_size
		self.early_stop = early_stop
		self.optimizer = optimizer.lower()
		self.loss = loss
		self.device = torch.device("cuda:%d" % GPU if torch.cuda.is_available() and GPU >= 0 else "cpu")
		self.seed = seed

		self.logger.info(
			"GRU parameters setting:"
			"\nd_feat : {}"
			"\nhidden_size : {}"
			"\ndevice : {}"
			"\nuse_GPU : {}".format(d_feat, hidden_size, self.device, self.use_gpu)
		)

		if self.seed is not None:
			np.random.seed(self.seed)
			torch.manual_seed(self.seed)

		self.gru_model = None  # built lazily by fit()
		self.fitted = False

	@property
	def use_gpu(self):
		return self.device != torch.device("cpu")

	def mse(self, pred, label):
		loss = (pred - label) ** 2
		return torch.mean(loss)

	def fit(self, dataset, evals_result=None, save_path=None):
		(x_train, y_train), _ = dataset.prepare(["train", "valid"])
		if self.gru_model is None:
			self.gru_model = GRUModel(self.d_feat, self.hidden_size, self.num_layers, self.dropout)
			self.gru_model.to(self.device)
		if self.optimizer == "adam":
			self.train_optimizer = optim.Adam(self.gru_model.parameters(), lr=self.lr)
		else:
			self.train_optimizer = optim.SGD(self.gru_model.parameters(), lr=self.lr)

		best_param = copy.deepcopy(self.gru_model.state_dict())
		self.fitted = True
		for step in range(self.n_epochs):
			self.logger.info("Epoch%d:", step)
			self.gru_model.train()
			for i in range(0, len(x_train), self.batch_size):
				feature = torch.from_numpy(x_train[i : i + self.batch_size]).float().to(self.device)
				label = torch.from_numpy(y_train[i : i + self.batch_size]).float().to(self.device)
				loss = self.mse(self.gru_model(feature), label)
				self.train_optimizer.zero_grad()
				loss.backward()
				self.train_optimizer.step()
			best_param = copy.deepcopy(self.gru_model.state_dict())

		self.gru_model.load_state_dict(best_param)
		if save_path is not None:
			torch.save(best_param, save_path)

		if self.use_gpu:
			torch.cuda.empty_cache()

	def predict(self, dataset, segment="test"):
		if not self.fitted:
			raise ValueError("model is not fitted yet!")
		x_test, _ = dataset.prepare(segment)
		self.gru_model.eval()
		with torch.no_grad():
			pred = self.gru_model(torch.from_numpy(x_test).float().to(self.device))
		return pred.detach().cpu().numpy()


class GRUModel(nn.Module):
	def __init__(self, d_feat=6, hidden_size=64, num_layers=2, dropout=0.0):
		super().__init__()

		self.rnn = nn.GRU(
			input_size=d_feat,
			hidden_size=hidden_size,
			num_layers=num_layers,
			batch_first=True,
			dropout=dropout,
		)
		self.fc_out = nn.Linear(hidden_size, 1)

		self.d_feat = d_feat

	def forward(self, x):
		# x: [N, F*T]
		x = x.reshape(len(x), self.d_feat, -1)  # [N, F, T]
		x = x.permute(0, 2, 1)  # [N, T, F]
		out, _ = self.rnn(x)
		return self.fc_out(out[:, -1, :]).squeeze()
