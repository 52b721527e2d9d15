# Copyright 2026 The Longformer-TF Authors. All Rights Reserved.
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.

"""Installs the `longformer` package (Model Garden Longformer project)."""
import setuptools

setuptools.setup(
    name='longformer-tf',
    version='0.1.0',
    license='Apache-2.0',
    description=('Longformer encoder for TensorFlow Model Garden: sliding-'
                 'window + global attention, HF checkpoint parity, XLA.'),
    packages=setuptools.find_packages(include=['longformer', 'longformer.*']),
    python_requires='>=3.10',
    install_requires=[
        'tf-models-official==2.20.0',
        'tf-keras>=2.20,<2.21',
        'tensorflow-text',
        # tensorflow_hub, imported by Model Garden tasks, needs pkg_resources.
        'setuptools<81',
    ],
    extras_require={
        # The converter and tokenizer CLIs, and the tests' HF reference.
        # torch 2.13.0 is pinned: it is the CPU build available here; any
        # other version pulls a multi-GB CUDA build.
        'convert': ['torch==2.13.0', 'transformers>=5', 'safetensors'],
        # datasets: the tokenizer CLI's default --input is a `datasets` name.
        'data': ['transformers>=5', 'tokenizers', 'datasets'],
        'test': ['torch==2.13.0', 'transformers>=5', 'safetensors',
                 'tokenizers', 'pytest', 'pytest-xdist', 'matplotlib'],
    },
)
