"""Fine-tuning the tutor model: dataset, LoRA/QLoRA training and evaluation (issue #6)."""
