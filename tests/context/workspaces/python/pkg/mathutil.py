LIMIT = 10


def add(a, b):
    return a + b


class Calc:
    scale = 2

    def mul(self, a, b):
        return a * b * self.scale
