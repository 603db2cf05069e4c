x = (
  torch.device("cuda"