# Homebrew formula for mps-patch.
#
#   brew install --build-from-source ./Formula/mps-patch.rb          # a release
#   brew install --HEAD --build-from-source ./Formula/mps-patch.rb   # this checkout
#
# The grammars come from grammars/package-lock.json through `npm ci`: the
# lockfile pins each package by integrity hash and no install script runs
# (tests/cli/test_formula.sh checks the install step).
#
# At each release: set `url` to the release tarball
# (`git archive --format=tar.gz --prefix=mps-patch-VERSION/ vVERSION`) and
# `sha256` to its checksum.
class MpsPatch < Formula
  desc "Make Qlib-style PyTorch code use Apple Silicon GPUs (MPS), reversibly"
  homepage "https://github.com/OWNER/mps-patch"
  url "https://github.com/OWNER/mps-patch/releases/download/v0.1.0/mps-patch-0.1.0.tar.gz"
  sha256 "RELEASE_TARBALL_SHA256"
  head "file://#{File.expand_path("..", __dir__)}", using: :git

  depends_on "cli11" => :build
  depends_on "cmake" => :build
  depends_on "node" => :build
  depends_on "nlohmann-json" => :build
  depends_on "pkgconf" => :build
  depends_on "libgit2"
  depends_on "openssl@3"
  depends_on "re2"
  depends_on "tomlplusplus"

  def install
    # The grammar sources, exactly as the lockfile pins them.
    cd "grammars" do
      system "npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"
    end
    grammars = buildpath/"grammars/node_modules"

    # The pinned tree-sitter runtime, not Homebrew's (the grammars' ABI is
    # pinned with it); mps-probe needs LibTorch and is built apart (docs/probe.md).
    args = %W[
      -DMPS_GRAMMARS_DIR=#{grammars}
      -DMPS_USE_SYSTEM_TREE_SITTER=OFF
      -DMPS_BUILD_PROBE=OFF
      -DBUILD_TESTING=OFF
    ]
    system "cmake", "-S", ".", "-B", "build", *args, *std_cmake_args
    system "cmake", "--build", "build"
    system "cmake", "--install", "build"
  end

  def caveats
    <<~EOS
      `mps-patch verify` reports what this Mac's torch can use through the
      LibTorch helper mps-probe, which this formula does not build. Build it
      against your Qlib environment's torch (docs/probe.md) and pass
      `--probe PATH`, or put it in #{opt_libexec}/mps-patch/.
    EOS
  end

  test do
    assert_match "mps-patch #{version}", shell_output("#{bin}/mps-patch --version")
    assert_match "device-select", shell_output("#{bin}/mps-patch rules")

    (testpath/"pkg/model.py").write <<~PYTHON
      import torch


      class Model:
          def __init__(self, GPU=0):
              self.device = torch.device("cuda:%d" % (GPU) if torch.cuda.is_available() and GPU >= 0 else "cpu")
    PYTHON
    original = (testpath/"pkg/model.py").read
    diff = shell_output("#{bin}/mps-patch apply --dry-run --no-pager #{testpath}/pkg")
    assert_match 'torch.device("mps")', diff
    shell_output("#{bin}/mps-patch apply --check #{testpath}/pkg", 1)
    assert_equal original, (testpath/"pkg/model.py").read
    refute_predicate testpath/"pkg/model.py.backup_before_mps", :exist?
  end
end
