import torch


class CRLFModel:
    """CRLFModel model"""

    def __init__(self, d_feat=6, GPU=0):
        self.d_feat = d_feat
        self.device = torch.device("cuda:%d" % (GPU) if torch.cuda.is_available() and GPU >= 0 else "cpu")
        self.fitted = False

    def fit(self, dataset):
        self.fitted = True
        torch.cuda.empty_cache()
        return self
