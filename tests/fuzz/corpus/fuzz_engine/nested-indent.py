import torch
def f(GPU):
	if GPU:
	    model = model.cuda()
    return torch.device("cuda")
