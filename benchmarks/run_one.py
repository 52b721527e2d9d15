r"""One benchmark measurement in a fresh process; prints one JSON line.

`benchmark_encoder.py` starts this script once per configuration, so every
peak-memory reading belongs to exactly one model, one mode and one length.
It can also be run by hand:

  python3 benchmarks/run_one.py --impl=ours --mode=train --seq_length=1024 \
      --num_layers=2 --jit_compile --repeats=1

Implementations (`--impl`):
  ours    `longformer.LongformerEncoder` in a `tf.function(jit_compile=...)`;
  hf      HF PyTorch `transformers.LongformerModel`, eager;
  matmul  a float32 [4096, 768] @ [768, 3072] matmul in TensorFlow, the
          yardstick for "fraction of matmul throughput".

Both models use Longformer-base sizes (hidden 768, 12 heads, inner 3072,
vocabulary 50265) with random weights, dropout 0, batch 1, float32, the
first token global and every token real. Modes (`--mode`):
  forward  the encoder's forward pass (HF under `torch.no_grad()`);
  train    forward, loss = sum of sequence_output, and the gradients of the
           loss w.r.t. every trainable weight (HF: `loss.backward()`).

Both frameworks get `--threads` intra-op threads and one inter-op thread.
The process does one warm-up run (for XLA, it includes compilation) and then
`--repeats` timed runs.

Memory (GiB, resident set): `model_rss_gib` is the RSS once the model is
built, before the warm-up; `run_peak_rss_gib` the peak during the timed runs
only (the peak is reset through /proc/self/clear_refs after the warm-up, so
it excludes compilation; null where the kernel does not allow the reset);
`peak_rss_gib` the peak of the whole process (getrusage ru_maxrss).
"""
import inspect
import json
import resource
import statistics
import time
from typing import Callable, Dict, List, Optional

from absl import app
from absl import flags

VOCAB_SIZE = 50265
PAD_TOKEN_ID = 1
HIDDEN_SIZE = 768
NUM_HEADS = 12
INNER_DIM = 3072
GLOBAL_ATTENTION_SIZE = 1
MATMUL_SHAPE = (4096, 768, 3072)  # [M, K] @ [K, N]
# Position-table rows beyond the tokens: RoBERTa positions start at
# pad_token_id + 1, so T tokens need T + pad_token_id + 1 rows.
POSITION_ROWS_OFFSET = PAD_TOKEN_ID + 1
KIB_PER_GIB = 2**20

FLAGS = flags.FLAGS


def define_flags() -> None:
  """Defines this script's flags.

  Not done on import: `benchmark_encoder.py` imports the constants above and
  has flags of the same names.
  """
  flags.DEFINE_enum('impl', 'ours', ['ours', 'hf', 'matmul'],
                    'What to measure.')
  flags.DEFINE_enum('mode', 'forward', ['forward', 'train'],
                    'forward: inference; train: forward + backward.')
  flags.DEFINE_integer('seq_length', 512, 'Tokens per sequence (batch 1).')
  flags.DEFINE_integer('num_layers', 12, 'Transformer blocks.')
  flags.DEFINE_integer('attention_window', 512,
                       'The full, even window (each side sees half of it).')
  flags.DEFINE_bool('jit_compile', True, 'ours: compile with XLA.')
  flags.DEFINE_bool('gradient_checkpointing', False,
                    'ours: recompute each layer in the backward pass.')
  flags.DEFINE_enum('global_tokens', 'first', ['first', 'marked'],
                    "ours: 'first' = the first --global_count tokens are "
                    "global; 'marked' = --global_count tokens spread through "
                    'the sequence are marked with input_mask 2.')
  flags.DEFINE_integer('global_count', GLOBAL_ATTENTION_SIZE,
                       'Global tokens (and global slots) per sequence.')
  flags.DEFINE_integer('repeats', 3, 'Timed runs after the warm-up.')
  flags.DEFINE_integer('threads', 2, 'Intra-op threads for either framework.')
  flags.DEFINE_integer('seed', 0, 'Seed for weights and token ids.')


def current_rss_gib() -> float:
  """The resident set size of this process now, in GiB."""
  with open('/proc/self/statm') as f:
    pages = int(f.read().split()[1])
  return pages * resource.getpagesize() / 2**30


def peak_rss_gib() -> float:
  """The peak resident set size (since start or the last reset), in GiB."""
  return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / KIB_PER_GIB


def reset_peak_rss() -> bool:
  """Resets the kernel's peak-RSS counter; False where that is not allowed."""
  try:
    with open('/proc/self/clear_refs', 'w') as f:
      f.write('5')
  except OSError:
    return False
  return True


def time_runs(step: Callable[[], None], repeats: int) -> Dict[str, object]:
  """Warms `step` up once, then times it `repeats` times; memory as well.

  Returns:
    A dict with the run times (s), their median, and the memory fields
    described in the module docstring.
  """
  model_rss = current_rss_gib()
  step()
  warmup_peak = peak_rss_gib()
  can_reset = reset_peak_rss()
  times = []
  for _ in range(repeats):
    start = time.perf_counter()
    step()
    times.append(time.perf_counter() - start)
  run_peak = peak_rss_gib()
  return {
      'times_s': times,
      'median_s': statistics.median(times),
      'model_rss_gib': model_rss,
      'run_peak_rss_gib': run_peak if can_reset else None,
      'peak_rss_gib': max(warmup_peak, run_peak),
  }


def configure_tensorflow(threads: int):
  """Imports TensorFlow with `threads` intra-op and one inter-op thread."""
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  tf.config.threading.set_intra_op_parallelism_threads(threads)
  tf.config.threading.set_inter_op_parallelism_threads(1)
  return tf


def ours_step(seq_length: int) -> Callable[[], None]:
  """Builds our encoder and returns one forward or train step on it."""
  tf = configure_tensorflow(FLAGS.threads)
  import longformer  # pylint: disable=g-import-not-at-top
  tf.random.set_seed(FLAGS.seed)
  options = {}
  if FLAGS.gradient_checkpointing:
    options['gradient_checkpointing'] = True
  if FLAGS.global_tokens != 'first':  # Older versions lack the argument.
    options['global_tokens'] = FLAGS.global_tokens
  encoder = longformer.LongformerEncoder(
      vocab_size=VOCAB_SIZE, attention_window=FLAGS.attention_window,
      global_attention_size=FLAGS.global_count, pad_token_id=PAD_TOKEN_ID,
      hidden_size=HIDDEN_SIZE, num_layers=FLAGS.num_layers,
      num_attention_heads=NUM_HEADS,
      max_sequence_length=seq_length + POSITION_ROWS_OFFSET,
      type_vocab_size=1, inner_dim=INNER_DIM, output_dropout=0.0,
      attention_dropout=0.0, **options)
  encoder(ours_inputs(tf, max(16, FLAGS.global_count)))  # Creates weights.
  inputs = ours_inputs(tf, seq_length)

  @tf.function(jit_compile=FLAGS.jit_compile)
  def forward(inputs):
    outputs = encoder(inputs, training=False)
    return tf.reduce_sum(outputs['sequence_output'])

  @tf.function(jit_compile=FLAGS.jit_compile)
  def train(inputs):
    with tf.GradientTape() as tape:
      outputs = encoder(inputs, training=True)
      loss = tf.reduce_sum(outputs['sequence_output'])
    return loss, tape.gradient(loss, encoder.trainable_variables)

  if FLAGS.mode == 'train':
    return lambda: train(inputs)[0].numpy()
  return lambda: forward(inputs).numpy()


def global_positions(seq_length: int) -> List[int]:
  """The global tokens: the first --global_count, or as many evenly spread
  (the middle of each of --global_count equal parts) when marked."""
  count = min(FLAGS.global_count, seq_length)
  if FLAGS.global_tokens == 'first':
    return list(range(count))
  stride = seq_length // count
  return [i * stride + stride // 2 for i in range(count)]


def ours_inputs(tf, seq_length: int) -> Dict[str, object]:
  """Random real token ids: int32 [1, seq_length] each; mask all ones, or
  with --global_tokens=marked 2 at --global_count evenly spread tokens."""
  shape = (1, seq_length)
  word_ids = tf.random.stateless_uniform(
      shape, seed=(FLAGS.seed, 1), minval=PAD_TOKEN_ID + 1,
      maxval=VOCAB_SIZE, dtype=tf.int32)
  mask = tf.ones(shape, tf.int32)
  if FLAGS.global_tokens == 'marked':
    is_global = [[i in global_positions(seq_length)
                  for i in range(seq_length)]]
    mask += tf.cast(is_global, tf.int32)
  return {'input_word_ids': word_ids,
          'input_mask': mask,
          'input_type_ids': tf.zeros(shape, tf.int32)}


def checkpointing_unsupported() -> Optional[str]:
  """Why ours cannot run with gradient checkpointing, or None if it can."""
  if not FLAGS.gradient_checkpointing:
    return None
  import longformer  # pylint: disable=g-import-not-at-top
  parameters = inspect.signature(longformer.LongformerEncoder).parameters
  if 'gradient_checkpointing' in parameters:
    return None
  return 'LongformerEncoder has no gradient_checkpointing argument yet'


def hf_step(seq_length: int) -> Callable[[], None]:
  """Builds HF's PyTorch LongformerModel; returns one forward or train step."""
  import torch  # pylint: disable=g-import-not-at-top
  import transformers  # pylint: disable=g-import-not-at-top
  torch.set_num_threads(FLAGS.threads)
  torch.manual_seed(FLAGS.seed)
  config = transformers.LongformerConfig(
      vocab_size=VOCAB_SIZE, hidden_size=HIDDEN_SIZE,
      num_hidden_layers=FLAGS.num_layers, num_attention_heads=NUM_HEADS,
      intermediate_size=INNER_DIM, attention_window=FLAGS.attention_window,
      max_position_embeddings=seq_length + POSITION_ROWS_OFFSET,
      type_vocab_size=1, pad_token_id=PAD_TOKEN_ID, hidden_dropout_prob=0.0,
      attention_probs_dropout_prob=0.0)
  model = transformers.LongformerModel(config)
  shape = (1, seq_length)
  word_ids = torch.randint(PAD_TOKEN_ID + 1, VOCAB_SIZE, shape)
  global_mask = torch.zeros(shape, dtype=torch.long)
  global_mask[:, global_positions(seq_length)] = 1
  inputs = dict(input_ids=word_ids, attention_mask=torch.ones_like(word_ids),
                global_attention_mask=global_mask,
                token_type_ids=torch.zeros_like(word_ids))

  def forward():
    with torch.no_grad():
      model(**inputs).last_hidden_state.sum().item()

  def train():
    model.zero_grad(set_to_none=True)
    loss = model(**inputs).last_hidden_state.sum()
    loss.backward()

  if FLAGS.mode == 'train':
    model.train()
    return train
  model.eval()
  return forward


def measure_matmul() -> Dict[str, object]:
  """Times the reference matmul; returns its run times and GFLOP/s."""
  tf = configure_tensorflow(FLAGS.threads)
  m, k, n = MATMUL_SHAPE
  a = tf.random.stateless_normal((m, k), seed=(FLAGS.seed, 2))
  b = tf.random.stateless_normal((k, n), seed=(FLAGS.seed, 3))
  result = time_runs(lambda: tf.linalg.matmul(a, b).numpy(), FLAGS.repeats)
  result['gflops'] = 2 * m * k * n / result['median_s'] / 1e9
  return result


def measure_model() -> Dict[str, object]:
  """Builds the model named by --impl and times its step."""
  if FLAGS.impl == 'hf':
    step = hf_step(FLAGS.seq_length)
  else:
    step = ours_step(FLAGS.seq_length)
  result = time_runs(step, FLAGS.repeats)
  result['tokens_per_s'] = FLAGS.seq_length / result['median_s']
  return result


def describe_run() -> Dict[str, object]:
  """The flags that identify this measurement in its JSON line."""
  if FLAGS.impl == 'matmul':
    return {'impl': 'matmul', 'shape': list(MATMUL_SHAPE)}
  description = {'impl': FLAGS.impl, 'mode': FLAGS.mode,
                 'seq_length': FLAGS.seq_length,
                 'num_layers': FLAGS.num_layers,
                 'attention_window': FLAGS.attention_window}
  if FLAGS.impl == 'ours':
    description.update(jit_compile=FLAGS.jit_compile,
                       gradient_checkpointing=FLAGS.gradient_checkpointing,
                       global_tokens=FLAGS.global_tokens,
                       global_count=FLAGS.global_count)
  return description


def main(argv: List[str]) -> None:
  del argv
  result = describe_run()
  skip_reason = checkpointing_unsupported() if FLAGS.impl == 'ours' else None
  if skip_reason:
    result.update(status='unsupported', error=skip_reason)
  elif FLAGS.impl == 'matmul':
    result.update(status='ok', **measure_matmul())
  else:
    result.update(status='ok', **measure_model())
  print(json.dumps(result), flush=True)


if __name__ == '__main__':
  define_flags()
  app.run(main)
