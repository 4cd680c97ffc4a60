// SPDX-License-Identifier: GPL-2.0
/*
 * A test module for pml: the kernel reads and writes a 32-bit MMIO
 * register at a physical address given through debugfs, in the context
 * of the task that writes the address, e.g.
 *
 *   echo 0x8000100000 > /sys/kernel/debug/pml_mmio/poke
 *
 * so that a monitored task's kernel touches memory above 512 GiB, as a
 * driver does with a 64-bit BAR.
 */
#include <linux/debugfs.h>
#include <linux/io.h>
#include <linux/kstrtox.h>
#include <linux/module.h>

static struct dentry *pml_mmio_dir;
static u32 pml_mmio_last;

static ssize_t pml_mmio_poke(struct file *file, const char __user *buf,
			     size_t len, loff_t *ppos)
{
	void __iomem *reg;
	u64 pa;
	int ret;

	ret = kstrtou64_from_user(buf, len, 0, &pa);
	if (ret)
		return ret;
	reg = ioremap(pa, PAGE_SIZE);
	if (!reg)
		return -ENOMEM;
	pml_mmio_last = readl(reg);
	writel(pml_mmio_last ^ 1, reg);
	iounmap(reg);
	return len;
}

static const struct file_operations pml_mmio_fops = {
	.owner	= THIS_MODULE,
	.write	= pml_mmio_poke,
};

static int __init pml_mmio_init(void)
{
	pml_mmio_dir = debugfs_create_dir("pml_mmio", NULL);
	debugfs_create_file("poke", 0200, pml_mmio_dir, NULL, &pml_mmio_fops);
	debugfs_create_u32("last", 0400, pml_mmio_dir, &pml_mmio_last);
	return 0;
}

static void __exit pml_mmio_exit(void)
{
	debugfs_remove_recursive(pml_mmio_dir);
}

module_init(pml_mmio_init);
module_exit(pml_mmio_exit);
MODULE_DESCRIPTION("MMIO accesses at a given physical address, for the pml selftests");
MODULE_LICENSE("GPL");
